import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export interface WrkResult {
  rps: number;
  p50ms: number;
  p99ms: number;
  requests: number;
  /** Non-2xx/3xx responses plus socket errors: anything but 0 spoils the figure. */
  errors: number;
}

const toMs = (value: string, unit: string) =>
  Number(value) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 }[unit] ?? Number.NaN);

/** Parses `wrk --latency` output. */
export function parseWrk(text: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  const total = /(\d+) requests in/.exec(text);
  const pct = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, 'm').exec(text);
    return m ? toMs(m[1]!, m[2]!) : Number.NaN;
  };
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(text);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  if (!rps || !total) throw new Error(`cannot read wrk's output:\n${text}`);
  const socketErrors = socket ? socket.slice(1).reduce((a, n) => a + Number(n), 0) : 0;
  return {
    rps: Number(rps[1]),
    requests: Number(total[1]),
    p50ms: pct('50'),
    p99ms: pct('99'),
    errors: Number(non2xx?.[1] ?? 0) + socketErrors,
  };
}

/** One wrk run (one thread: the machine has two cores for nginx, the service and wrk). */
export async function runWrk(
  url: string,
  connections: number,
  seconds: number,
): Promise<WrkResult> {
  const { stdout } = await promisify(execFile)(
    'wrk',
    ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', url],
    { timeout: (seconds + 30) * 1000 },
  );
  return parseWrk(stdout);
}
