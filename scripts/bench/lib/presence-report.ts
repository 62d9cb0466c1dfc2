/** bench:presence's result shapes and its table: one row per figure, one column per phase. */
import type { Options } from '../presence.ts';
import type { Latency } from './presence-load.ts';
import type { ProfileSummary } from './presence-profile.ts';
import type { ProcSample } from './presence-setup.ts';

/** One measured phase; the morning and steady phases fill different optional parts. */
export interface Window {
  seconds: number;
  /** presence's CPU time over the window as a share of one core, and its memory at the end. */
  cpu: ProcSample & { share_pct: number };
  /** This process (load generator, subscribers, mdb and udb) over the same window. */
  bench_cpu_pct: number;
  /** This process's event-loop delay over the window (a stalled generator shows here). */
  bench_loop_delay: { p99_ms: number; max_ms: number };
  heartbeats: Latency;
  logins?: Latency;
  logouts?: Latency;
  errors?: Record<string, number>;
  /** Bucket upper bounds (s) of the server's decision histogram over the window. */
  decision?: {
    p50_le_s: number | null;
    p99_le_s: number | null;
    count: number;
    buckets: Record<string, number>;
  };
  /** Change events each subscriber received in the window. */
  stream_changes: number[];
  stream_delay_ms?: { p50: number; p99: number };
  sessions_on_stream: number[];
  sessions_server?: number | null;
  sessions_listed?: number | null;
  all_sessions_after_s?: number | null;
  first_login_after_s?: number;
  too_early_refusals?: number;
  loadavg_1m: number;
}

export interface Measured {
  morning: Window;
  steady: Window;
  /** With --cpu-prof: where presence's CPU went in the steady window. */
  profile?: ProfileSummary;
}

const us = (s: number | null | undefined) =>
  s === null || s === undefined ? '-' : `≤ ${Math.round(s * 1e6).toLocaleString('en')} µs`;
const range = (values: number[]) => {
  if (values.length === 0) return '-';
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  return lo === hi ? String(lo) : `${lo}–${hi}`;
};
const loop = (w: Window) => `${w.bench_loop_delay.p99_ms} / ${w.bench_loop_delay.max_ms}`;
const lat = (l: Latency | undefined) => (l ? `${l.p50_ms} / ${l.p99_ms} / ${l.max_ms}` : '-');
const rate = (w: Window) =>
  String(Math.round(((w.heartbeats.ok + w.heartbeats.errors) / w.seconds) * 10) / 10);

const errorText = (w: Window) => {
  const entries = Object.entries(w.errors ?? {});
  const text = entries.length ? entries.map(([k, v]) => `${k}: ${v}`).join(', ') : '0';
  const retried = [w.heartbeats, w.logins, w.logouts].reduce((n, l) => n + (l?.retried ?? 0), 0);
  return retried ? `${text} (${retried} resets, retried)` : text;
};

function rows(options: Options, m: Measured): [string, string, string][] {
  const { morning: a, steady: b } = m;

  const target = Math.round((options.machines / options.period) * 10) / 10;
  return [
    ['window (s)', String(a.seconds), String(b.seconds)],
    [
      'sessions (stream; server gauge)',
      range(a.sessions_on_stream),
      `${range(b.sessions_on_stream)}; ${b.sessions_server ?? '-'}`,
    ],
    ['every session on the stream after (s)', String(a.all_sessions_after_s ?? 'never'), ''],
    ['first login accepted after (s)', String(a.first_login_after_s ?? '-'), ''],
    [`heartbeats/s (target ${target})`, rate(a), rate(b)],
    ['heartbeat p50 / p99 / max (ms)', lat(a.heartbeats), lat(b.heartbeats)],
    ['errors', errorText(a), errorText(b)],
    ['presence CPU (% of one core)', String(a.cpu.share_pct), String(b.cpu.share_pct)],
    [
      'presence RSS / peak (MiB)',
      `${a.cpu.rss_mib} / ${a.cpu.peak_rss_mib}`,
      `${b.cpu.rss_mib} / ${b.cpu.peak_rss_mib}`,
    ],
    [
      'logins accepted (too early refused)',
      `- (${a.too_early_refusals ?? 0})`,
      String(b.logins?.ok ?? '-'),
    ],
    ['login p50 / p99 / max (ms, client)', '', lat(b.logins)],
    ['logout p50 / p99 / max (ms, client)', '', lat(b.logouts)],
    [
      'decision p50 / p99 (server histogram)',
      '',
      `${us(b.decision?.p50_le_s)} / ${us(b.decision?.p99_le_s)} (${b.decision?.count ?? 0} decisions)`,
    ],
    ['stream change events (per subscriber)', range(a.stream_changes), range(b.stream_changes)],
    [
      'login → stream event p50 / p99 (ms)',
      '',
      b.stream_delay_ms ? `${b.stream_delay_ms.p50} / ${b.stream_delay_ms.p99}` : '-',
    ],
    ['bench process CPU (% of one core)', String(a.bench_cpu_pct), String(b.bench_cpu_pct)],
    ['bench event-loop delay p99 / max (ms)', loop(a), loop(b)],
    ['load average (1 min) at the end', String(a.loadavg_1m), String(b.loadavg_1m)],
  ];
}

export function printTable(options: Options, m: Measured): void {
  const table: [string, string, string][] = [
    ['', 'morning (restart)', `steady (+${options.logins} logins/s)`],
    ...rows(options, m),
  ];
  const widths = [0, 1, 2].map((c) => Math.max(...table.map((r) => r[c]!.length)));
  for (const row of table) {
    console.log(
      row
        .map((cell, c) => cell.padEnd(widths[c]!))
        .join('  ')
        .trimEnd(),
    );
  }
  if (m.profile) printProfile(m.profile);
}

function printProfile(p: ProfileSummary): void {
  console.log(`\npresence CPU profile, steady window (${p.busy_samples} busy samples), self time:`);
  const n = Math.max(p.by_origin.length, p.by_function.length);
  const left = p.by_origin.map((o) => `${String(o.pct).padStart(5)} %  ${o.origin}`);
  const width = Math.max(...left.map((l) => l.length));
  for (let i = 0; i < n; i++) {
    const f = p.by_function[i];
    const right = f ? `${String(f.pct).padStart(5)} %  ${f.fn}` : '';
    console.log(`${(left[i] ?? '').padEnd(width)}    ${right}`.trimEnd());
  }
}
