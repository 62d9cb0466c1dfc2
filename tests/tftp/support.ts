/**
 * Helpers of the TFTP tests: `lanctl serve tftp` as a child process (the daemon the unit runs),
 * real clients (tftp-hpa, curl) bounded by timeouts, and (services/tftp/src/testing) a scriptable
 * TFTP client for what no real client does on demand (drop an ACK, abort with error 8, speak from
 * another port).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestKeys, waitFor } from '../../packages/testkit/src/index.ts';

export { ScriptedClient } from '../../services/tftp/src/testing/client.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const LANCTL = join(ROOT, 'cli/bin/lanctl');
export const IPXE = '/usr/lib/ipxe';

export interface Daemon {
  child: ChildProcess;
  port: number;
  httpUrl: string;
  /** Every JSON log line so far. */
  logs: Record<string, unknown>[];
  exited: Promise<number | null>;
  /** A token with the `read` scope, signed by the key the daemon verifies with. */
  token: string;
  /** `GET /api/v1/transfers?ip=` (newest first). */
  transfers(ip: string): Promise<Record<string, unknown>[]>;
  metric(name: string): Promise<number>;
  /** Polls /metrics until `name` is at least `value` (5 s bound). */
  metricReaches(name: string, value: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `lanctl serve tftp --config DIR/tftp.yml` on 127.0.0.1, ports chosen by the kernel. */
export async function startDaemon(dir: string, config: Record<string, unknown>): Promise<Daemon> {
  const file = join(dir, 'tftp.yml');
  const keys = createTestKeys(dir);
  const full = {
    listen: { host: '127.0.0.1', port: 0 },
    http: { listen: { host: '127.0.0.1', port: 0 } },
    auth: { public_key_file: keys.files.publicKeyFile },
    ...config,
  };
  writeFileSync(file, JSON.stringify(full)); // YAML is a superset of JSON
  // Bounded: `timeout` sends SIGTERM after 120 s, SIGKILL 5 s later. Its own process group, so a
  // SIGKILL reaches the daemon too (a SIGTERM goes to `timeout`, which passes it on).
  const child = spawn('timeout', ['-k', '5', '120', LANCTL, 'serve', 'tftp', '--config', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, LANCTL_LOG_LEVEL: 'info' },
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) if (line.trim()) logs.push(JSON.parse(line));
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  await waitFor(
    () => gone || logs.some((l) => l.message === 'listening'),
    'tftp listening',
    30_000,
  );
  const ready = logs.find((l) => l.message === 'listening');
  if (!ready) throw new Error(`lanctl serve tftp exited: ${stderr}`);
  const httpUrl = ready.http as string;
  const metric = async (name: string) => {
    const text = await (await fetch(`${httpUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    return line ? Number(line.split(' ').pop()) : 0;
  };
  const token = keys.token('reader');
  return {
    child,
    port: ready.tftp_port as number,
    httpUrl,
    logs,
    exited,
    token,
    async transfers(ip) {
      const res = await fetch(`${httpUrl}/api/v1/transfers?ip=${ip}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (res.status !== 200) throw new Error(`transfers: HTTP ${res.status} ${await res.text()}`);
      return ((await res.json()) as { transfers: Record<string, unknown>[] }).transfers;
    },
    metric,
    async metricReaches(name, value) {
      for (let i = 0; (await metric(name)) < value; i++) {
        if (i >= 100) throw new Error(`${name} stayed below ${value}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop(signal = 'SIGTERM') {
      if (!gone && signal === 'SIGKILL') process.kill(-child.pid!, 'SIGKILL');
      else if (!gone) child.kill(signal);
      return exited;
    },
  };
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A real client, bounded (20 s), its exit code and output. */
export function run(argv: string[], cwd?: string): Promise<Run> {
  return new Promise((resolveRun) => {
    execFile(argv[0]!, argv.slice(1), { timeout: 20_000, cwd }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolveRun({ code, stdout, stderr });
    });
  });
}
