import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const LANCTL = '/work/main/cli/bin/lanctl';
const run = promisify(execFile);

export interface Daemon {
  port: number;
  httpUrl: string;
  child: ChildProcess;
  /** Every JSON log line so far. */
  logs: Record<string, unknown>[];
  stop(): Promise<number | null>;
}

/** `lanctl serve dns --config FILE` as a child process; resolves once it logs "listening". */
export function startDaemon(
  dir: string,
  config: Record<string, unknown>,
  name = 'dns',
): Promise<Daemon> {
  const file = join(dir, `${name}.yml`);
  writeFileSync(file, JSON.stringify(config, null, 1));
  const child = spawn(LANCTL, ['serve', 'dns', '--config', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr?.on('data', (c) => {
    stderr += c;
  });
  const stop = () =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) return resolve(child.exitCode);
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', (code) => {
        clearTimeout(kill);
        resolve(code);
      });
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`dns daemon did not start in 30 s: ${stderr}`));
    }, 30_000);
    let pending = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line);
        } catch {
          continue;
        }
        logs.push(entry);
        if (entry.message === 'listening') {
          clearTimeout(timer);
          const port = Number(String(entry.dns).split(':').pop());
          resolve({ port, httpUrl: String(entry.http), child, logs, stop });
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`dns daemon exited with ${code}: ${stderr}`));
    });
  });
}

export interface DigResult {
  status: string;
  flags: string[];
  answer: string[];
  authority: string[];
  /** The EDNS udp size of the reply's OPT, or null without one. */
  udp: number | null;
  raw: string;
}

/** Runs dig against 127.0.0.1:port (always bounded: +time=2 +tries=1 and a 10 s kill). */
export async function dig(port: number, args: string[]): Promise<DigResult> {
  const { stdout } = await run(
    'dig',
    ['@127.0.0.1', '-p', String(port), '+time=2', '+tries=1', '+nocookie', ...args],
    {
      timeout: 10_000,
    },
  );
  const section = (title: string) => {
    const m = new RegExp(`;; ${title} SECTION:\\n([\\s\\S]*?)(\\n\\n|$)`).exec(stdout);
    return (m?.[1] ?? '')
      .split('\n')
      .filter(Boolean)
      .map((l) =>
        l
          .split(/\s+/)
          .filter((_, i) => i !== 1)
          .join(' '),
      );
  };
  return {
    status: /status: (\w+)/.exec(stdout)?.[1] ?? 'none',
    flags: (/;; flags: ([^;]*);/.exec(stdout)?.[1] ?? '').trim().split(/\s+/),
    answer: section('ANSWER'),
    authority: section('AUTHORITY'),
    udp: /; EDNS: version: \d+, flags:[^;]*; udp: (\d+)/.test(stdout)
      ? Number(/udp: (\d+)/.exec(stdout)?.[1])
      : null,
    raw: stdout,
  };
}
