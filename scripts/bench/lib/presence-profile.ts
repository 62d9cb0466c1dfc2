/**
 * Reads a V8 `.cpuprofile` (node --cpu-prof) and tells where a process's CPU went within a time
 * window: self time by origin (a package, a workspace package, node internals, GC) and by
 * function. For bench:presence --cpu-prof.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Samples in the window that were not idle. */
  busy_samples: number;
  /** Share of busy samples by origin, largest first. */
  by_origin: { origin: string; pct: number }[];
  /** Share of busy samples by function (self time), largest first. */
  by_function: { fn: string; pct: number }[];
}

/** `express`, `@lanctl/sync`, `presence`, `node:internal/...` or a V8 pseudo-frame. */
export function originOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : `native ${functionName || '?'}`;
  const pkg = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  const mod = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (mod) return mod[1]!;
  const own = /\/(packages|services)\/([^/]+)\//.exec(url);
  if (own) return own[1] === 'packages' ? `@lanctl/${own[2]}` : `services/${own[2]}`;
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  return url;
}

const top = (counts: Map<string, number>, total: number, n: number) =>
  [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([key, c]) => ({ key, pct: Math.round((c / total) * 1000) / 10 }));

/**
 * Summarizes the only `.cpuprofile` in `dir` over [fromUs, toUs] (V8 timestamps: the monotonic
 * clock in µs, as `process.hrtime.bigint() / 1000n` in any process on this machine).
 */
export function summarizeProfile(dir: string, fromUs: number, toUs: number): ProfileSummary {
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const byOrigin = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let t = profile.startTime;
  let busy = 0;
  profile.samples.forEach((id, i) => {
    t += profile.timeDeltas[i] ?? 0;
    if (t < fromUs || t > toUs) return;
    const frame = frames.get(id);
    if (!frame || frame.functionName === '(idle)') return;
    busy++;
    const origin = originOf(frame);
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + 1);
    const where = frame.url ? ` ${frame.url.split('/').pop()}:${frame.lineNumber + 1}` : '';
    const fn = `${frame.functionName || '(anonymous)'}${where}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + 1);
  });
  if (busy === 0) throw new Error(`no busy samples between ${fromUs} and ${toUs} µs in ${file}`);
  return {
    busy_samples: busy,
    by_origin: top(byOrigin, busy, 15).map(({ key, pct }) => ({ origin: key, pct })),
    by_function: top(byFunction, busy, 15).map(({ key, pct }) => ({ fn: key, pct })),
  };
}
