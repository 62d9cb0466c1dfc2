/**
 * Waiting on a child's structured (JSON lines) log: its start line, or any line a caller picks.
 * Shared by the network benchmarks and tests/netboot.
 */
import type { NetnsProcess } from '../../../packages/testkit/src/netns.ts';

/** A service's start line: `listening` (mdb, tftp) or `<service> listening` (dhcp). */
export const isListening = (entry: Record<string, unknown>) =>
  typeof entry.message === 'string' && /^(\w+ )?listening$/.test(entry.message);

/** The JSON log lines a process printed so far. */
export function jsonLines(child: Pick<NetnsProcess, 'output'>): Record<string, unknown>[] {
  const entries: Record<string, unknown>[] = [];
  for (const line of child.output().split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      entries.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a partial line or not JSON
    }
  }
  return entries;
}

/** Resolves with `pick`'s first non-undefined result over the JSON lines the process printed. */
export function waitForLine<T>(
  child: NetnsProcess,
  timeoutMs: number,
  pick: (entry: Record<string, unknown>) => T | undefined,
): Promise<T> {
  return new Promise((resolve, reject) => {
    let done = false;
    const check = () => {
      if (done) return;
      for (const entry of jsonLines(child)) {
        const found = pick(entry);
        if (found !== undefined) return finish(() => resolve(found));
      }
    };
    const finish = (then: () => void) => {
      done = true;
      clearTimeout(timer);
      clearInterval(poll);
      then();
    };
    const timer = setTimeout(
      () => finish(() => reject(new Error(`no such log line within ${timeoutMs} ms`))),
      timeoutMs,
    );
    const poll = setInterval(check, 50);
    void child.exited.then((code) =>
      setTimeout(() => {
        check();
        if (!done)
          finish(() => reject(new Error(`exited (${code}): ${child.output().slice(-2000)}`)));
      }, 100),
    );
  });
}
