import { execFile } from 'node:child_process';
import { isIPv4 } from 'node:net';

/** up: a reply came; down: none within the timeout; error: the probe could not run. */
export type PingResult = 'up' | 'down' | 'error';
export const PING_RESULTS: readonly PingResult[] = ['up', 'down', 'error'];

/** One ICMP echo to an IPv4 address (injected: tests use a fake). */
export interface Pinger {
  ping(ip: string, timeoutSeconds: number, signal: AbortSignal): Promise<PingResult>;
}

export const PING_BINARY = '/usr/bin/ping';

/**
 * SADM's probe, `ping -c 1 -W <timeout> -n <ip>`, as a child process (iputils exits 0 on a
 * reply, 1 on none, 2 on an error). The process is killed past the timeout plus 3 s or on abort.
 */
export function createProcessPinger(binary = PING_BINARY): Pinger {
  return {
    ping(ip, timeoutSeconds, signal) {
      if (!isIPv4(ip)) return Promise.resolve('error');
      return new Promise((resolve) => {
        execFile(
          binary,
          ['-c', '1', '-W', String(timeoutSeconds), '-n', ip],
          { timeout: (timeoutSeconds + 3) * 1000, killSignal: 'SIGKILL', signal },
          (err) => {
            if (!err) resolve('up');
            else resolve((err as { code?: unknown }).code === 1 ? 'down' : 'error');
          },
        );
      });
    },
  };
}

/**
 * Consecutive lost pings by hostname after a round: a reply resets, a loss adds one, an error
 * changes nothing; hosts not pinged this round (gone, or without an IP) are forgotten.
 */
export function tally(
  failures: ReadonlyMap<string, number>,
  results: ReadonlyMap<string, PingResult>,
): Map<string, number> {
  const next = new Map<string, number>();
  for (const [host, result] of results) {
    const before = failures.get(host) ?? 0;
    next.set(host, result === 'up' ? 0 : result === 'down' ? before + 1 : before);
  }
  return next;
}

/** Hosts with at least `threshold` consecutive lost pings. */
export function unreachableOf(
  failures: ReadonlyMap<string, number>,
  threshold: number,
): Set<string> {
  return new Set([...failures].filter(([, n]) => n >= threshold).map(([host]) => host));
}

export const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>) =>
  a.size === b.size && [...a].every((x) => b.has(x));

/** Runs `work` on every item, at most `limit` at once. */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
