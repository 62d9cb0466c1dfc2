/**
 * Presence benchmark: the contest LAN's steady hum. mdb and udb (SQLite, in this process) hold
 * `--machines` machines of type `user` and as many contestants, plus `--spares` of each for the
 * login stream; `lanctl serve presence` runs as its own process, so its CPU time and memory are
 * read from /proc.
 *
 *   pnpm bench:presence [--machines 2000] [--duration 60] [--period 15] [--timeout 30]
 *                       [--logins 10] [--spares 100] [--sockets 50] [--subscribers 3]
 *                       [--log-level info] [--cpu-prof] [--keep]
 *
 * Two phases, both with every machine heartbeating every `--period` seconds (spread evenly, over
 * `--sockets` keep-alive connections) and `--subscribers` followers of the `presence` stream:
 *
 * - morning: presence has just started and refuses logins as "too early" for one `--timeout`
 *   while heartbeats rebuild its sessions; a probe logs in every 0.5 s until accepted. Measured:
 *   when every machine's session is on the stream, when the first login is accepted.
 * - steady (`--duration` s): `--logins` login/logout cycles a second on spare pairs as well.
 *   Measured: presence's CPU share and memory, heartbeat and login latency (client side), the
 *   server's `lanctl_presence_decision_seconds` histogram over the phase, stream events.
 *
 * `--log-level` is presence's LANCTL_LOG_LEVEL (info, the default, logs every request as in
 * production); `--cpu-prof` profiles presence and prints where its steady-phase CPU went (the
 * profiler costs CPU too: take the share from a run without it); `--keep` keeps the temporary
 * directory (presence.log, configs, databases, profile).
 *
 * Only loopback traffic; no pass/fail threshold. Figures: docs/benchmarks.md.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IntervalHistogram, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Client, percentile, round } from './http.ts';
import {
  bucketCounts,
  bucketQuantile,
  firstAcceptedLogin,
  Heartbeats,
  histogramBuckets,
  LoginStream,
  metricValue,
  Subscriber,
  type Tally,
} from './lib/presence-load.ts';
import { summarizeProfile } from './lib/presence-profile.ts';
import { type Measured, printTable, type Window } from './lib/presence-report.ts';
import {
  type Directory,
  loadDirectory,
  type PresenceProcess,
  type ProcSample,
  sampleProcess,
  startDirectory,
  startPresence,
} from './lib/presence-setup.ts';

export interface Options {
  machines: number;
  duration: number;
  period: number;
  timeout: number;
  logins: number;
  spares: number;
  sockets: number;
  subscribers: number;
  keep: boolean;
  cpuProf: boolean;
  logLevel: string;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      machines: { type: 'string', default: '2000' },
      duration: { type: 'string', default: '60' },
      period: { type: 'string', default: '15' },
      timeout: { type: 'string', default: '30' },
      logins: { type: 'string', default: '10' },
      spares: { type: 'string', default: '100' },
      sockets: { type: 'string', default: '50' },
      subscribers: { type: 'string', default: '3' },
      keep: { type: 'boolean', default: false },
      'cpu-prof': { type: 'boolean', default: false },
      'log-level': { type: 'string', default: 'info' },
    },
  });
  const int = (
    name: Exclude<keyof typeof values, 'keep' | 'cpu-prof' | 'log-level'>,
    min: number,
    max: number,
  ) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`--${name}: an integer in ${min}..${max}, got ${values[name]}`);
    return n;
  };
  const options = {
    machines: int('machines', 1, 20_000),
    duration: int('duration', 5, 3600),
    period: int('period', 1, 1800),
    timeout: int('timeout', 2, 3600),
    logins: int('logins', 1, 1000),
    spares: int('spares', 2, 10_000),
    sockets: int('sockets', 1, 1000),
    subscribers: int('subscribers', 0, 100),
    keep: values.keep,
    cpuProf: values['cpu-prof'],
    logLevel: values['log-level'],
  };
  if (!['error', 'warn', 'info', 'debug'].includes(options.logLevel))
    throw new Error(`--log-level: error, warn, info or debug, got ${options.logLevel}`);
  if (options.period >= options.timeout)
    throw new Error('--period must be below --timeout, or sessions expire between heartbeats');
  return options;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load1 = () => round(loadavg()[0]!, 2);

/** CPU share (of one core) of a process between two samples `seconds` apart. */
const share = (a: ProcSample, b: ProcSample, seconds: number) =>
  round(((b.cpu_s - a.cpu_s) / seconds) * 100, 1);

interface Run {
  presence: PresenceProcess;
  station: Client;
  loginClient: Client;
  reader: string;
  subscribers: Subscriber[];
  heartbeats: Heartbeats;
  stream: LoginStream;
  /** This process's event-loop delay: a stalled load generator shows here, not in presence. */
  loop: IntervalHistogram;
  /** The steady window on the monotonic clock in µs (what V8 profiles stamp samples with). */
  steadyUs: [number, number];
}

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** p99 and max of the event-loop delay since the last call, in ms; then starts afresh. */
function loopDelay(loop: IntervalHistogram): { p99_ms: number; max_ms: number } {
  const out = { p99_ms: round(loop.percentile(99) / 1e6, 1), max_ms: round(loop.max / 1e6, 1) };
  loop.reset();
  return out;
}

const errorsOf = (tallies: [string, Tally][]) =>
  Object.fromEntries(
    tallies.flatMap(([what, t]) => [...t.errors].map(([k, v]) => [`${what} ${k}`, v])),
  );

async function metricsText(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  return res.text();
}

/** From presence's start to the first accepted login, every machine heartbeating. */
async function morning(run: Run, options: Options, listenedAt: number): Promise<Window> {
  const base = await sampleProcess(run.presence.pid);
  const self0 = process.cpuUsage();
  run.loop.reset();
  run.heartbeats.start();
  const probe = await firstAcceptedLogin(
    run.loginClient,
    options.machines,
    500,
    (options.timeout + options.period + 30) * 1000,
  );
  // Every session on every subscriber's table, and the probe's logout event in.
  const limit = performance.now() + options.period * 2000;
  const settled = (s: Subscriber) => s.fullAt !== null && s.table.size === options.machines;
  while (!run.subscribers.every(settled) && performance.now() < limit) await sleep(50);
  const seconds = (performance.now() - listenedAt) / 1000;
  const end = await sampleProcess(run.presence.pid);
  const full = run.subscribers.map((s) => (s.fullAt === null ? null : s.fullAt - listenedAt));
  const heartbeats = run.heartbeats.phase();
  return {
    seconds: round(seconds, 1),
    cpu: { share_pct: share(base, end, seconds), ...end },
    bench_cpu_pct: benchShare(self0, seconds),
    bench_loop_delay: loopDelay(run.loop),
    heartbeats: heartbeats.summary(),
    errors: errorsOf([['heartbeat', heartbeats]]),
    all_sessions_after_s: full.includes(null)
      ? null
      : round(Math.max(...(full as number[])) / 1000, 1),
    first_login_after_s: round(probe.after_ms / 1000, 1),
    too_early_refusals: probe.refusals.errors.get('423 too_early') ?? 0,
    stream_changes: run.subscribers.map((s) => s.changes),
    sessions_on_stream: run.subscribers.map((s) => s.table.size),
    loadavg_1m: load1(),
  };
}

const benchShare = (since: NodeJS.CpuUsage, seconds: number) => {
  const used = process.cpuUsage(since);
  return round(((used.user + used.system) / 1e6 / seconds) * 100, 1);
};

/** `--duration` seconds of heartbeats plus the login stream. */
async function steady(run: Run, options: Options): Promise<Window> {
  const url = run.presence.url;
  const before = histogramBuckets(await metricsText(url), 'lanctl_presence_decision_seconds');
  const changes0 = run.subscribers.map((s) => s.changes);
  const base = await sampleProcess(run.presence.pid);
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  run.steadyUs[0] = monotonicUs();
  run.loop.reset();
  run.stream.start(options.logins);
  await sleep(options.duration * 1000);
  run.steadyUs[1] = monotonicUs();
  const end = await sampleProcess(run.presence.pid);
  const seconds = (performance.now() - t0) / 1000;
  const bench = benchShare(self0, seconds);
  const benchLoop = loopDelay(run.loop);
  const heartbeats = run.heartbeats.phase();
  await run.stream.stop();
  await sleep(500); // the last logouts' events
  const text = await metricsText(url);
  const after = histogramBuckets(text, 'lanctl_presence_decision_seconds');
  const delays = Float64Array.from(run.subscribers.flatMap((s) => s.delays)).sort();
  const listed = await run.station.call('GET', '/api/v1/presence');
  return {
    seconds: round(seconds, 1),
    cpu: { share_pct: share(base, end, seconds), ...end },
    bench_cpu_pct: bench,
    bench_loop_delay: benchLoop,
    heartbeats: heartbeats.summary(),
    logins: run.stream.logins.summary(),
    logouts: run.stream.logouts.summary(),
    errors: errorsOf([
      ['heartbeat', heartbeats],
      ['login', run.stream.logins],
      ['logout', run.stream.logouts],
    ]),
    decision: {
      p50_le_s: bucketQuantile(before, after, 0.5)?.le ?? null,
      p99_le_s: bucketQuantile(before, after, 0.99)?.le ?? null,
      count: bucketQuantile(before, after, 0.5)?.count ?? 0,
      buckets: bucketCounts(before, after),
    },
    stream_changes: run.subscribers.map((s, i) => s.changes - changes0[i]!),
    stream_delay_ms: {
      p50: round(percentile(delays, 0.5), 1),
      p99: round(percentile(delays, 0.99), 1),
    },
    sessions_on_stream: run.subscribers.map((s) => s.table.size),
    sessions_server: metricValue(text, 'lanctl_presence_sessions'),
    sessions_listed: listed.status === 200 ? listed.body.items.length : null,
    loadavg_1m: load1(),
  };
}

/** The presence child, stopped on Ctrl-C too (it runs in a process group of its own). */
let running: PresenceProcess | null = null;

async function measure(directory: Directory, options: Options, dir: string): Promise<Measured> {
  const limit = options.timeout + options.period * 2 + options.duration + 180;
  const profileDir = options.cpuProf ? join(dir, 'profile') : undefined;
  const presence = await startPresence(dir, directory, {
    timeoutSeconds: options.timeout,
    limitSeconds: limit,
    logLevel: options.logLevel,
    ...(profileDir ? { profileDir } : {}),
  });
  running = presence;
  const listenedAt = performance.now();
  const token = directory.token('reader', ['presence:write', 'read']);
  const station = new Client(presence.url, token, options.sockets);
  const loginClient = new Client(presence.url, token, 8);
  const stream = new LoginStream(loginClient, options.machines, options.spares);
  const run: Run = {
    presence,
    station,
    loginClient,
    reader: directory.token('reader'),
    subscribers: [],
    heartbeats: new Heartbeats(station, options.machines, options.period * 1000),
    stream,
    loop: monitorEventLoopDelay({ resolution: 10 }),
    steadyUs: [0, 0],
  };
  run.loop.enable();
  try {
    for (let i = 0; i < options.subscribers; i++) {
      const s = new Subscriber(options.machines, run.stream.sentAt);
      await s.open(presence.url, run.reader);
      run.subscribers.push(s);
    }
    const first = await morning(run, options, listenedAt);
    const second = await steady(run, options);
    await stopRun(run);
    const profile = profileDir ? summarizeProfile(profileDir, ...run.steadyUs) : undefined;
    return { morning: first, steady: second, ...(profile ? { profile } : {}) };
  } finally {
    await stopRun(run);
  }
}

async function stopRun(run: Run): Promise<void> {
  await run.heartbeats.stop();
  for (const s of run.subscribers) s.close();
  run.station.close();
  run.loginClient.close();
  run.loop.disable();
  await run.presence.stop();
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (e) {
    console.error(`bench:presence: ${(e as Error).message}`);
    process.exit(2);
  }
  const started = performance.now();
  const loadBefore = load1();
  console.log(
    `presence benchmark: ${options.machines} machines heartbeating every ${options.period} s, ` +
      `${options.logins} logins/s, ${options.subscribers} stream subscribers, timeout ${options.timeout} s, ` +
      `Node ${process.version}, ${availableParallelism()} cores, ${new Date().toISOString()}, ` +
      `load average ${loadBefore}`,
  );
  const dir = await mkdtemp(join(tmpdir(), 'lanctl-bench-presence-'));
  let directory: Directory | null = null;
  const cleanup = async () => {
    await running?.stop();
    await directory?.stop();
    if (options.keep) console.error(`kept ${dir} (presence.log, configs, databases)`);
    else await rm(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  try {
    directory = await startDirectory(dir, options.machines + options.spares);
    const loaded = await loadDirectory(directory, options.machines + options.spares);
    console.log(
      `loaded ${options.machines + options.spares} machines in ${loaded.machines_s} s, as many users in ${loaded.users_s} s`,
    );
    const measured = await measure(directory, options, dir);
    console.log('');
    printTable(options, measured);
    console.log('');
    console.log(
      JSON.stringify({
        bench: 'presence',
        date: new Date().toISOString(),
        node: process.version,
        cores: availableParallelism(),
        options,
        load: loaded,
        total_s: round((performance.now() - started) / 1000, 1),
        loadavg_1m: { before: loadBefore, after: load1() },
        ...measured,
      }),
    );
  } finally {
    await cleanup();
  }
}

await main();
