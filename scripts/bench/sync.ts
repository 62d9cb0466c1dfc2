/**
 * Sync fan-out benchmark: how long a write takes to reach every subscriber of the machines
 * stream, directly on mdb and through one relay, what an idle subscriber costs the server, and
 * how many changes a second reach 100 subscribers in a burst of writes.
 *
 *   pnpm bench:sync [--subscribers 500,2000] [--writes 200] [--rate 10] [--burst 1000]
 *                   [--burst-subscribers 100] [--machines 100] [--clients raw|sync]
 *                   [--targets mdb,relay]
 *
 * mdb (SQLite) and the relay run as child processes (`lanctl serve mdb`, `lanctl serve relay`),
 * as their systemd units do, so their memory is theirs alone; the subscribers live in this
 * process. Only loopback traffic; every loop is bounded by the counts above and a deadline.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { type IncomingMessage, request } from 'node:http';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ensureSigningKeys, issueToken, loadPrivateKey } from '@lanctl/auth';
import { createLogger } from '@lanctl/core';
import { createSyncClient, SseParser, type StreamEvent } from '@lanctl/sync';
import { Client, percentile, round } from './http.ts';
import { REPO } from './server.ts';

const LANCTL_BIN = join(REPO, 'cli/bin/lanctl');
const DELIVERY_DEADLINE_MS = 30_000;

interface Options {
  subscribers: number[];
  writes: number;
  rate: number;
  burst: number;
  burstSubscribers: number;
  machines: number;
  clients: 'raw' | 'sync';
  targets: string[];
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      subscribers: { type: 'string', default: '500,2000' },
      writes: { type: 'string', default: '200' },
      rate: { type: 'string', default: '10' },
      burst: { type: 'string', default: '1000' },
      'burst-subscribers': { type: 'string', default: '100' },
      machines: { type: 'string', default: '100' },
      clients: { type: 'string', default: 'raw' },
      targets: { type: 'string', default: 'mdb,relay' },
    },
  });
  const int = (name: string, raw: string, max: number) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`--${name}: 1..${max}`);
    return n;
  };
  if (values.clients !== 'raw' && values.clients !== 'sync')
    throw new Error('--clients: raw or sync');
  return {
    subscribers: values.subscribers.split(',').map((n) => int('subscribers', n, 5000)),
    writes: int('writes', values.writes, 10_000),
    rate: int('rate', values.rate, 1000),
    burst: int('burst', values.burst, 20_000),
    burstSubscribers: int('burst-subscribers', values['burst-subscribers'], 5000),
    machines: int('machines', values.machines, 10_000),
    clients: values.clients,
    targets: values.targets.split(',').filter((t) => t === 'mdb' || t === 'relay'),
  };
}

// ---- the servers (child processes) ----

interface Child {
  url: string;
  syncUrl?: string;
  /** CPU time the process used so far, in ms (user + system, from /proc). */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

/** `lanctl serve <name> --config FILE`; the URLs come from its `listening` log line. */
async function serve(name: string, configFile: string, dir: string): Promise<Child> {
  const child = spawn(LANCTL_BIN, ['serve', name, '--config', configFile], {
    cwd: REPO,
    env: { ...process.env, LANCTL_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(join(dir, `${name}.log`));
  child.stderr!.pipe(log);
  const entry = await new Promise<{ url: string; sync_url?: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not listening within 60 s`)), 60_000);
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}), see ${dir}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      log.write(`${line}\n`);
      try {
        const parsed = JSON.parse(line) as { message?: string; url?: string; sync_url?: string };
        if (parsed.message === 'listening' && parsed.url) {
          clearTimeout(timer);
          resolve(parsed as { url: string; sync_url?: string });
        }
      } catch {
        // not a log line
      }
    });
  });
  return {
    url: entry.url,
    syncUrl: entry.sync_url,
    cpuMs: () => cpuMs(child.pid!),
    stop: () => stopChild(child),
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.kill('SIGTERM');
  });
}

/** `bin/lanctl` execs node, so the pid is the server's; fields 14 and 15 are in clock ticks. */
async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * The server's own figures from its /metrics (prom-client's process, heap and event-loop
 * gauges; the event-loop delay histogram restarts at each scrape: `lagMax` is since the last).
 */
async function serverFigures(url: string): Promise<{ rss: number; heap: number; lagMax: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const gauge = (name: string) =>
    Number(new RegExp(`^(?:lanctl_)?${name} (\\S+)$`, 'm').exec(text)?.[1]);
  return {
    rss: gauge('process_resident_memory_bytes'),
    heap: gauge('nodejs_heap_size_used_bytes'),
    lagMax: gauge('nodejs_eventloop_lag_max_seconds') * 1000,
  };
}

// ---- the subscribers (this process) ----

/** Per write tag: when it was sent and answered, how many subscribers have it, when all did. */
interface Track {
  sent: number;
  answered: number;
  seen: number;
  all: number;
}

class Crowd {
  readonly tracks = new Map<string, Track>();
  private readonly stops: (() => Promise<void> | void)[] = [];

  constructor(
    readonly size: number,
    private readonly kind: Options['clients'],
  ) {}

  observe(events: readonly (StreamEvent | { type: 'error' })[]): void {
    for (const e of events) {
      if (e.type !== 'change') continue;
      const tag = (e.data.record as { is_faulty_details?: string }).is_faulty_details ?? '';
      const track = this.tracks.get(tag);
      if (track && ++track.seen === this.size) track.all = performance.now();
    }
  }

  /** Opens every subscriber, `batch` at a time (the listen backlog is 511), each to a snapshot. */
  async connect(base: string, token: string, batch = 250): Promise<number> {
    const t0 = performance.now();
    for (let i = 0; i < this.size; i += batch) {
      const n = Math.min(batch, this.size - i);
      await Promise.all(Array.from({ length: n }, () => this.open(base, token)));
    }
    return performance.now() - t0;
  }

  private open(base: string, token: string): Promise<void> {
    if (this.kind === 'sync') {
      const client = createSyncClient<unknown>({
        baseUrl: base,
        table: 'machines',
        token,
        logger: createLogger('bench', { silent: true }),
        onEvents: (events) => this.observe(events),
        onUpdate: () => {},
      });
      client.start();
      this.stops.push(() => client.stop());
      return client.ready();
    }
    return new Promise((resolve, reject) => {
      const url = new URL(`${base}/api/v1/sync/machines`);
      const req = request(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`stream: HTTP ${res.statusCode}`));
        this.read(res, resolve);
      });
      req.on('error', reject); // after the snapshot: a no-op (stop() destroys the request)
      req.end();
      this.stops.push(() => void req.destroy());
    });
  }

  /** A raw reader: the same SSE parser as the sync client, no state kept. */
  private read(res: IncomingMessage, ready: () => void): void {
    const parser = new SseParser();
    let first = true;
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      const events = parser.push(chunk);
      if (first && events.some((e) => e.type === 'snapshot')) {
        first = false;
        ready();
      }
      this.observe(events);
    });
    res.on('error', () => {});
  }

  async close(): Promise<void> {
    await Promise.all(this.stops.splice(0).map((stop) => stop()));
  }
}

// ---- the measures ----

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

/** PATCHes machines with a unique tag each, `concurrency` at a time, at most `rate` a second. */
async function writeTags(
  api: Client,
  crowd: Crowd,
  options: { prefix: string; count: number; rate: number; concurrency: number; machines: number },
): Promise<void> {
  const t0 = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < options.count) {
      const i = next++;
      const due = t0 + (i * 1000) / options.rate;
      if (due > performance.now()) await sleep(due - performance.now());
      const tag = `${options.prefix}-${i}`;
      const track: Track = { sent: performance.now(), answered: 0, seen: 0, all: 0 };
      crowd.tracks.set(tag, track);
      await api.expect(200, 'PATCH', `/api/v1/machines/${hostname(i % options.machines)}`, {
        is_faulty_details: tag,
      });
      track.answered = performance.now();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
}

const hostname = (i: number) => `bench-${String(i).padStart(5, '0')}`;

interface FanOut {
  target: string;
  subscribers: number;
  connect_s: number;
  server_rss_mib: { before: number; after: number };
  per_subscriber_kib: { rss: number; heap: number };
  writes: number;
  delivered_all: number;
  /** From the API's answer to the moment the last subscriber had the change (0 if before). */
  after_answer_ms: { p50: number; p99: number; max: number };
  /** From sending the write. */
  after_send_ms: { p50: number; p99: number; max: number };
  /** CPU ms per write of each process on the path, and of the subscribers (this process). */
  cpu_ms_per_write: Record<string, number>;
  /** Longest the serving process's event loop was late during the writes. */
  server_event_loop_lag_max_ms: number;
}

function latencies(tracks: Track[], from: (t: Track) => number) {
  const sorted = Float64Array.from(tracks.map((t) => Math.max(0, t.all - from(t)))).sort();
  const at = (q: number) => round(percentile(sorted, q), 1);
  return { p50: at(0.5), p99: at(0.99), max: round(sorted[sorted.length - 1] ?? 0, 1) };
}

async function fanOut(
  target: Target,
  api: Client,
  token: string,
  size: number,
  options: Options,
): Promise<FanOut> {
  const crowd = new Crowd(size, options.clients);
  const before = await serverFigures(target.url);
  const connectMs = await crowd.connect(target.url, token);
  await sleep(2000); // let the snapshots' buffers go before measuring
  const after = await serverFigures(target.url);
  const prefix = `${target.name}-${size}`;
  const cpu = await cpuNow(target);
  await writeTags(api, crowd, { ...options, prefix, count: options.writes, concurrency: 1 });
  await until(() => [...crowd.tracks.values()].every((t) => t.all > 0), DELIVERY_DEADLINE_MS);
  const used = await cpu.since(options.writes);
  const lagMax = round((await serverFigures(target.url)).lagMax, 1);
  await crowd.close();
  const tracks = [...crowd.tracks.values()];
  const done = tracks.filter((t) => t.all > 0);
  const kib = (bytes: number) => round(bytes / 1024 / size, 1);
  return {
    target: target.name,
    subscribers: size,
    connect_s: round(connectMs / 1000, 2),
    server_rss_mib: { before: mib(before.rss), after: mib(after.rss) },
    per_subscriber_kib: { rss: kib(after.rss - before.rss), heap: kib(after.heap - before.heap) },
    writes: tracks.length,
    delivered_all: done.length,
    after_answer_ms: latencies(done, (t) => t.answered),
    after_send_ms: latencies(done, (t) => t.sent),
    cpu_ms_per_write: used,
    server_event_loop_lag_max_ms: lagMax,
  };
}

interface Target {
  name: string;
  url: string;
  /** The server processes a change goes through: mdb, then the relay if any. */
  servers: { name: string; child: Child }[];
}

/** CPU used from now on, per write, by each server and by this process (the subscribers). */
async function cpuNow(target: Target) {
  const start = await Promise.all(target.servers.map((s) => s.child.cpuMs()));
  const self = process.cpuUsage();
  return {
    async since(writes: number): Promise<Record<string, number>> {
      const out: Record<string, number> = {};
      for (const [i, s] of target.servers.entries())
        out[s.name] = round(((await s.child.cpuMs()) - start[i]!) / writes, 2);
      const { user, system } = process.cpuUsage(self);
      out.subscribers = round((user + system) / 1000 / writes, 2);
      return out;
    },
  };
}

const mib = (bytes: number) => round(bytes / 1024 / 1024, 1);

interface Burst {
  target: string;
  subscribers: number;
  writes: number;
  writes_per_s: number;
  /** Changes received by all subscribers together, per second, until the last had the last. */
  delivered_per_s: number;
  seconds: number;
  /** From the last write's answer until every subscriber had every change. */
  drain_ms: number;
}

async function burst(target: Target, api: Client, token: string, options: Options): Promise<Burst> {
  const crowd = new Crowd(options.burstSubscribers, options.clients);
  await crowd.connect(target.url, token);
  const t0 = performance.now();
  await writeTags(api, crowd, {
    ...options,
    prefix: `burst-${target.name}`,
    count: options.burst,
    rate: 1_000_000,
    concurrency: 8,
  });
  const written = performance.now();
  await until(() => [...crowd.tracks.values()].every((t) => t.all > 0), DELIVERY_DEADLINE_MS);
  const tracks = [...crowd.tracks.values()];
  const delivered = tracks.reduce((n, t) => n + t.seen, 0);
  const end = Math.max(...tracks.map((t) => t.all || performance.now()));
  await crowd.close();
  const seconds = (end - t0) / 1000;
  return {
    target: target.name,
    subscribers: options.burstSubscribers,
    writes: tracks.length,
    writes_per_s: Math.round(tracks.length / ((written - t0) / 1000)),
    delivered_per_s: Math.round(delivered / seconds),
    seconds: round(seconds, 2),
    drain_ms: round(Math.max(0, end - written), 1),
  };
}

// ---- the run ----

async function setUp(dir: string) {
  const keys = { privateKeyFile: join(dir, 'key'), publicKeyFile: join(dir, 'key.pub') };
  ensureSigningKeys(keys);
  const privateKey = loadPrivateKey(keys.privateKeyFile);
  const root = issueToken(privateKey, { subject: 'bench', role: 'root' });
  const reader = issueToken(privateKey, { subject: 'bench-reader', role: 'reader' });
  await writeFile(join(dir, 'reader.token'), reader, { mode: 0o600 });
  await writeFile(
    join(dir, 'mdb.yml'),
    [
      'listen: { host: 127.0.0.1, port: 0 }',
      'sync: { port: 0 }',
      `database: { url: "${join(dir, 'mdb.sqlite')}" }`,
      `auth: { public_key_file: "${keys.publicKeyFile}" }`,
      '',
    ].join('\n'),
  );
  const relayConfig = (upstream: string) =>
    writeFile(
      join(dir, 'relay.yml'),
      [
        'listen: { host: 127.0.0.1, port: 0 }',
        `upstream: "${upstream}"`,
        `token_file: "${join(dir, 'reader.token')}"`,
        'tables: [machines]',
        `auth: { public_key_file: "${keys.publicKeyFile}" }`,
        `state_dir: "${join(dir, 'relay')}"`,
        '',
      ].join('\n'),
    );
  return { root, reader, relayConfig };
}

async function seed(api: Client, machines: number): Promise<void> {
  for (let i = 0; i < machines; i++) {
    const mac = `02:00:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
    await api.expect(201, 'POST', '/api/v1/machines', { hostname: hostname(i), mac });
  }
}

function printTable(fanOuts: FanOut[], bursts: Burst[]): void {
  const rows: string[][] = [
    [
      'target',
      'subs',
      'connect s',
      'RSS KiB/sub',
      'heap KiB/sub',
      'delivered',
      'p50 ms',
      'p99 ms',
      'max ms',
      'p99 from send',
      'loop lag max',
      'CPU ms/write',
    ],
  ];
  for (const f of fanOuts) {
    rows.push(
      [
        f.target,
        f.subscribers,
        f.connect_s,
        f.per_subscriber_kib.rss,
        f.per_subscriber_kib.heap,
        `${f.delivered_all}/${f.writes}`,
        f.after_answer_ms.p50,
        f.after_answer_ms.p99,
        f.after_answer_ms.max,
        f.after_send_ms.p99,
        f.server_event_loop_lag_max_ms,
        Object.entries(f.cpu_ms_per_write)
          .map(([k, v]) => `${k} ${v}`)
          .join(', '),
      ].map(String),
    );
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const row of rows) console.log(row.map((cell, c) => cell.padStart(widths[c]!)).join('  '));
  console.log('');
  for (const b of bursts) {
    console.log(
      `burst via ${b.target}: ${b.writes} writes at ${b.writes_per_s}/s to ${b.subscribers} subscribers: ` +
        `${b.delivered_per_s} changes/s delivered, all in ${b.seconds} s (${b.drain_ms} ms after the last answer)`,
    );
  }
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (e) {
    console.error(`bench:sync: ${(e as Error).message}`);
    process.exit(2);
  }
  const started = performance.now();
  const loadBefore = round(loadavg()[0]!, 2);
  console.log(
    `sync benchmark: ${options.subscribers.join(' and ')} subscribers (${options.clients} clients), ` +
      `${options.writes} writes at ${options.rate}/s, burst ${options.burst} to ${options.burstSubscribers}, ` +
      `${options.machines} machines, Node ${process.version}, ${availableParallelism()} cores, ` +
      `${new Date().toISOString()}, load average ${loadBefore}`,
  );
  const dir = await mkdtemp(join(tmpdir(), 'lanctl-bench-sync-'));
  const children: Child[] = [];
  const fanOuts: FanOut[] = [];
  const bursts: Burst[] = [];
  try {
    const setup = await setUp(dir);
    const mdb = await serve('mdb', join(dir, 'mdb.yml'), dir);
    children.push(mdb);
    const api = new Client(mdb.url, setup.root, 8);
    await seed(api, options.machines);
    await setup.relayConfig(mdb.syncUrl!);
    const relay = await serve('relay', join(dir, 'relay.yml'), dir);
    children.push(relay);
    const targets: Target[] = [
      { name: 'mdb', url: mdb.syncUrl!, servers: [{ name: 'mdb', child: mdb }] },
      {
        name: 'relay',
        url: relay.url,
        servers: [
          { name: 'mdb', child: mdb },
          { name: 'relay', child: relay },
        ],
      },
    ];
    for (const target of targets.filter((t) => options.targets.includes(t.name))) {
      // Unmeasured: the first streams a process serves grow its heap and buffers for good.
      const warm = new Crowd(100, options.clients);
      await warm.connect(target.url, setup.reader);
      await warm.close();
      for (const size of options.subscribers) {
        fanOuts.push(await fanOut(target, api, setup.reader, size, options));
        console.error(`done: ${target.name} × ${size}`);
      }
      bursts.push(await burst(target, api, setup.reader, options));
    }
    api.close();
  } finally {
    await Promise.all(children.map((c) => c.stop()));
    await rm(dir, { recursive: true, force: true });
  }
  console.log('');
  printTable(fanOuts, bursts);
  console.log('');
  console.log(
    JSON.stringify({
      bench: 'sync',
      date: new Date().toISOString(),
      node: process.version,
      cores: availableParallelism(),
      options,
      total_s: round((performance.now() - started) / 1000, 1),
      loadavg_1m: { before: loadBefore, after: round(loadavg()[0]!, 2) },
      fan_out: fanOuts,
      bursts,
    }),
  );
}

await main();
