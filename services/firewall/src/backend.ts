import { execFile } from 'node:child_process';
import type { FirewallConfig } from './config.ts';
import { ipsetScreen, keepAll, type Screened } from './screen.ts';
import { renderIpsetRestore, renderNftScript } from './scripts.ts';

/** Where the allowed set lives: replaced whole, atomically, or not at all (the old one stays). */
export interface Backend {
  readonly name: 'nftables' | 'ipset';
  /** A human-readable name of the set, for logs and the API. */
  readonly target: string;
  /** Splits addresses into those the set can hold and those it would refuse (pure). */
  screen(addresses: readonly string[]): Screened;
  /** Rejects with the command's stderr when it failed or timed out. */
  replace(addresses: readonly string[]): Promise<void>;
}

/** Runs `command args` with `input` on stdin, no shell, killed after `timeoutMs`. */
export function runWithInput(
  command: string,
  args: string[],
  input: string,
  timeoutMs: number,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024, encoding: 'utf8' },
      (error, _stdout, stderr) => {
        if (!error) return resolve();
        const e = error as NodeJS.ErrnoException & { killed?: boolean; code?: unknown };
        const how = e.killed
          ? `killed after ${timeoutMs} ms`
          : typeof e.code === 'number'
            ? `exit ${e.code}`
            : String(e.code ?? e.message);
        const detail = String(stderr).trim() || e.message;
        reject(new Error(`${command} ${args.join(' ')}: ${how}: ${detail}`.slice(0, 2000)));
      },
    );
    child.stdin?.on('error', () => {}); // a command that dies early: its exit status tells why
    child.stdin?.end(input);
  });
}

/** The backend the config names. */
export function createBackend(config: FirewallConfig): Backend {
  const timeoutMs = config.command_timeout_seconds * 1000;
  if (config.backend === 'nftables') {
    const names = config.nftables;
    return {
      name: 'nftables',
      target: `${names.family} ${names.table} ${names.set}`,
      screen: keepAll,
      replace: (addresses) =>
        runWithInput(names.command, ['-f', '-'], renderNftScript(addresses, names), timeoutMs),
    };
  }
  const names = config.ipset;
  return {
    name: 'ipset',
    target: names.set,
    screen: ipsetScreen(names.type),
    replace: (addresses) =>
      runWithInput(names.command, ['restore'], renderIpsetRestore(addresses, names), timeoutMs),
  };
}
