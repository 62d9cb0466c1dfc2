/**
 * DNS throughput and latency: dnsmasq against ours (`lanctl serve dns`), same names, same load,
 * on loopback, in one run; plus the zone rebuild time for 5,000 machines.
 *
 *   pnpm bench:dns [--machines 1000] [--seconds 10] [--clients 4] [--outstanding 200]
 *                  [--workers 2]   (also measures `workers: N` over UDP; 1: skip)
 *
 * Both serve A records of `pc0000.prolo` … (dnsmasq from an `--addn-hosts` file, ours from the
 * machine table's state file, mdb being absent: degraded mode). dnsperf cycles through the
 * names. Each target gets a throughput run (`-l seconds -c clients -q outstanding`: qps, lost,
 * average latency) and a latency run at half that rate with `-v` (per-query latencies → p50,
 * p99; dnsperf 2.10 prints no percentiles). Every child runs under `timeout`.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { buildZones, dnsPlanSchema, nextSerials } from '@lanctl/dns-wire';
import type { Machine, Pool } from '@lanctl/model';
import { machineRecord } from '../../packages/testkit/src/records.ts';
import { indexZones } from '../../services/dns/src/authority.ts';

const LANCTL = join(import.meta.dirname, '../../cli/bin/lanctl');
const run = promisify(execFile);

interface Options {
  workers: number;
  machines: number;
  seconds: number;
  clients: number;
  outstanding: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      machines: { type: 'string', default: '1000' },
      workers: { type: 'string', default: '2' },
      seconds: { type: 'string', default: '10' },
      clients: { type: 'string', default: '4' },
      outstanding: { type: 'string', default: '200' },
    },
  });
  const int = (name: string, raw: string, max: number) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new Error(`--${name}: 1..${max}, got ${raw}`);
    return n;
  };
  return {
    machines: int('machines', values.machines, 60_000),
    workers: int('workers', values.workers, 64),
    seconds: int('seconds', values.seconds, 600),
    clients: int('clients', values.clients, 64),
    outstanding: int('outstanding', values.outstanding, 10_000),
  };
}

function machines(n: number): Machine[] {
  return Array.from({ length: n }, (_, i) =>
    machineRecord({
      hostname: `pc${String(i).padStart(4, '0')}`,
      ip: `10.20.${Math.floor(i / 250)}.${(i % 250) + 1}`,
      mac: `52:54:00:00:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
    }),
  );
}

const POOLS: Pool[] = [
  { name: 'user', network: '10.20.0.0/16', reserved: [], mtypes: ['user'], used: 0, size: 65534 },
];

async function freePort(): Promise<number> {
  const { createSocket } = await import('node:dgram');
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Spawns under `timeout`, resolves once `ready` matches a stdout/stderr line. */
function spawnReady(
  argv: string[],
  ready: RegExp,
  limitS: number,
): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn('timeout', ['-s', 'KILL', String(limitS), ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${argv[0]} did not start`)), 30_000);
    const onData = (chunk: Buffer) => {
      const line = chunk
        .toString()
        .split('\n')
        .find((l) => ready.test(l));
      if (line) {
        clearTimeout(timer);
        resolve({ child, line });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${argv[0]} exited with ${code}`)));
  });
}

interface Result {
  target: string;
  qps: number;
  lostPct: number;
  avgMs: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

const num = (text: string, re: RegExp) => Number(re.exec(text)?.[1] ?? Number.NaN);

async function dnsperf(
  port: number,
  file: string,
  args: string[],
  seconds: number,
): Promise<string> {
  const argv = ['-s', '127.0.0.1', '-p', String(port), '-d', file, '-l', String(seconds), ...args];
  const { stdout } = await run(
    'timeout',
    ['-s', 'KILL', String(seconds + 30), 'dnsperf', ...argv],
    {
      maxBuffer: 1 << 30,
    },
  );
  return stdout;
}

async function measure(
  target: string,
  port: number,
  file: string,
  mode: 'udp' | 'tcp',
  o: Options,
): Promise<Result> {
  const load = ['-m', mode, '-c', String(o.clients), '-q', String(o.outstanding)];
  const out = await dnsperf(port, file, load, o.seconds);
  const qps = num(out, /Queries per second:\s+([\d.]+)/);
  const result: Result = {
    target,
    qps,
    lostPct: num(out, /Queries lost:\s+\d+ \(([\d.]+)%\)/),
    avgMs: num(out, /Average Latency \(s\):\s+([\d.]+)/) * 1000,
    p50Ms: null,
    p99Ms: null,
  };
  if (!(qps > 0)) return result;
  const verbose = await dnsperf(
    port,
    file,
    [...load, '-v', '-Q', String(Math.max(1, Math.floor(qps / 2)))],
    Math.min(o.seconds, 5),
  );
  const lat = [...verbose.matchAll(/^> \w+ \S+ \S+ ([\d.]+)$/gm)]
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
  const pct = (p: number) =>
    lat.length
      ? (lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] as number) * 1000
      : null;
  result.p50Ms = pct(0.5);
  result.p99Ms = pct(0.99);
  return result;
}

function rebuildMs(n: number): number {
  const plan = dnsPlanSchema.parse({});
  const list = machines(n);
  const times: number[] = [];
  let serials = {};
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    const set = buildZones(plan, list, POOLS);
    serials = nextSerials(serials, set.zones, new Date());
    indexZones(set, serials);
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[3] as number;
}

/** The machine table as a sync state file, the query file and dnsmasq's hosts file. */
async function prepare(dir: string, o: Options): Promise<void> {
  const list = machines(o.machines);
  const state = (table: string, rows: [string, unknown][]) =>
    `${JSON.stringify({ table, revision: 1, items: rows })}\n`;
  await writeFile(
    join(dir, 'machines.json'),
    state(
      'machines',
      list.map((m) => [m.mac, m]),
    ),
  );
  await writeFile(
    join(dir, 'pools.json'),
    state(
      'pools',
      POOLS.map((p) => [p.name, p]),
    ),
  );
  await writeFile(join(dir, 'queries'), list.map((m) => `${m.hostname}.prolo A\n`).join(''));
  await writeFile(join(dir, 'hosts'), list.map((m) => `${m.ip} ${m.hostname}.prolo\n`).join(''));
  await writeFile(join(dir, 'token'), 'none');
}

/** `lanctl serve dns` on the state files (mdb absent: degraded mode), own state dir each. */
async function startOurs(dir: string, workers: number, limitS: number) {
  const stateDir = join(dir, `state-${workers}`);
  await mkdir(stateDir);
  for (const f of ['machines.json', 'pools.json']) await copyFile(join(dir, f), join(stateDir, f));
  const config = {
    workers,
    listen: { host: '127.0.0.1', port: 0 },
    http: { listen: { port: 0 } },
    upstream: 'http://127.0.0.1:9',
    token_file: join(dir, 'token'),
    state_dir: stateDir,
    startup_wait_ms: 2000,
  };
  const file = join(stateDir, 'dns.yml');
  await writeFile(file, JSON.stringify(config));
  const started = await spawnReady(
    [LANCTL, 'serve', 'dns', '--config', file],
    /"listening"/,
    limitS,
  );
  return { child: started.child, port: Number(/"dns":"[\d.]+:(\d+)"/.exec(started.line)?.[1]) };
}

async function startDnsmasq(dir: string, limitS: number) {
  const port = await freePort();
  const argv = ['dnsmasq', '--no-daemon', '--port', String(port), '--no-resolv', '--no-hosts'];
  argv.push('--addn-hosts', join(dir, 'hosts'), '--listen-address', '127.0.0.1');
  argv.push('--bind-interfaces', '--user=root', '--local-ttl=10', '--log-facility=-');
  const started = await spawnReady(argv, /started|read .*hosts/, limitS);
  return { child: started.child, port };
}

function report(results: Result[], o: Options): void {
  const f = (v: number | null, d = 3) => (v === null || Number.isNaN(v) ? '-' : v.toFixed(d));
  console.log(
    `\nDNS: ${o.machines} names, dnsperf -c ${o.clients} -q ${o.outstanding} -l ${o.seconds} (p50/p99 at half the rate)`,
  );
  console.log('target        qps       lost%   avg ms   p50 ms   p99 ms');
  for (const r of results) {
    const cells = [f(r.qps, 0).padStart(8), f(r.lostPct, 2).padStart(6), f(r.avgMs).padStart(7)];
    cells.push(f(r.p50Ms).padStart(7), f(r.p99Ms).padStart(7));
    console.log(`${r.target.padEnd(12)} ${cells.join('  ')}`);
  }
  const [dmUdp, ourUdp] = results;
  if (dmUdp && ourUdp) {
    const pct = ((100 * ourUdp.qps) / dmUdp.qps).toFixed(0);
    console.log(`lanctl udp / dnsmasq udp: ${pct} % (goal ≥ 50 %)`);
  }
  const rebuild = rebuildMs(5000).toFixed(1);
  console.log(`zone rebuild (5,000 machines, build + serials + index, median of 7): ${rebuild} ms`);
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const dir = await mkdtemp(join(tmpdir(), 'lanctl-dns-bench-'));
  const children: ChildProcess[] = [];
  try {
    await prepare(dir, o);
    const limit = o.seconds * 12 + 120;
    const ours = await startOurs(dir, 1, limit);
    children.push(ours.child);
    const dm = await startDnsmasq(dir, limit);
    children.push(dm.child);
    const queries = join(dir, 'queries');
    const results: Result[] = [];
    results.push(await measure('dnsmasq udp', dm.port, queries, 'udp', o));
    results.push(await measure('lanctl udp', ours.port, queries, 'udp', o));
    results.push(await measure('lanctl tcp', ours.port, queries, 'tcp', o));
    results.push(await measure('dnsmasq tcp', dm.port, queries, 'tcp', o));
    if (o.workers > 1) {
      ours.child.kill('SIGTERM');
      const many = await startOurs(dir, o.workers, limit);
      children.push(many.child);
      results.push(await measure(`lanctl udp×${o.workers}`, many.port, queries, 'udp', o));
    }
    report(results, o);
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
