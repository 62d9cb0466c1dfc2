import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

function children(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8')
        .split(' ')
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    return [];
  }
}

function ownSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime is 14th, stime 15th overall.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** CPU seconds (user + system) used so far by a process and its live descendants. */
export function treeCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  return ownSeconds(pid) + children(pid).reduce((sum, c) => sum + treeCpuSeconds(c), 0);
}
