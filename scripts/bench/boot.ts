/**
 * A boot storm: N machines fetch the same initrd at once over HTTP, from our boot-file router
 * (netboot's /files, in the common express app, in a child process) with its transfer cap at
 * the default and with no cap, and from nginx (sendfile on, one process), in one run.
 *
 *   pnpm bench:boot [--clients 300] [--size-mb 30] [--client-procs 2] [--chunk-kib 256]
 *                   [--cap 64] [--targets capped,uncapped,nginx] [--client node|curl]
 *                   [--nginx-workers 1]
 *
 * The initrd is random bytes in a temp dir. Clients are Node http clients (one connection each)
 * in `--client-procs` child processes, each download measuring its own time, or (`--client
 * curl`) one curl process per download, timed from spawn to exit. Every download's
 * length is checked, one per client process is hashed (sha256) and compared. The servers' RSS
 * is sampled every 100 ms. Loopback only; every child is bounded by a timeout and killed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Download } from './lib/boot-client.ts';
import {
  cpuSeconds,
  runClients,
  runCurl,
  type Served,
  sampleRss,
  startNginx,
  startOurs,
} from './lib/boot-procs.ts';

const TARGETS = ['capped', 'uncapped', 'nginx'] as const;
type Target = (typeof TARGETS)[number];

function options() {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string', default: '300' },
      'size-mb': { type: 'string', default: '30' },
      'client-procs': { type: 'string', default: '2' },
      'chunk-kib': { type: 'string', default: '256' },
      cap: { type: 'string', default: '64' },
      targets: { type: 'string', default: TARGETS.join(',') },
      client: { type: 'string', default: 'node' },
      'nginx-workers': { type: 'string', default: '1' },
    },
  });
  const int = (name: keyof typeof values, max: number) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`--${name}: 1..${max}`);
    return n;
  };
  const targets = String(values.targets).split(',') as Target[];
  for (const t of targets) if (!TARGETS.includes(t)) throw new Error(`--targets: unknown ${t}`);
  const client = values.client;
  if (client !== 'node' && client !== 'curl') throw new Error('--client: node or curl');
  return {
    clients: int('clients', 2000),
    sizeMB: int('size-mb', 1024),
    procs: int('client-procs', 16),
    chunkKiB: int('chunk-kib', 16 * 1024),
    cap: int('cap', 100_000),
    nginxWorkers: int('nginx-workers', 8),
    targets,
    client,
    dir: '',
  };
}

type Options = ReturnType<typeof options>;

/** The downloads, by Node clients or curl processes; with curl the first body is hashed. */
async function load(url: string, o: Options): Promise<Download[]> {
  if (o.client === 'node') return runClients(url, o.clients, o.procs);
  const saved = join(o.dir, 'curl-sample');
  const downloads = await runCurl(url, o.clients, saved);
  const first = downloads[0];
  if (first && !first.error) {
    first.sha256 = createHash('sha256')
      .update(await readFile(saved))
      .digest('hex');
  }
  await rm(saved, { force: true });
  return downloads;
}

interface Row {
  target: string;
  seconds: number;
  p50: number;
  p99: number;
  mbps: number;
  rssMiB: number;
  idleMiB: number;
  cpuS: number;
  errors: number;
}

const nearestRank = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;

function summarize(target: string, d: Download[], size: number, digest: string) {
  const errors = d.filter(
    (x) => x.status !== 200 || x.bytes !== size || x.error || (x.sha256 && x.sha256 !== digest),
  );
  const times = d.map((x) => (x.end - x.start) / 1000).sort((a, b) => a - b);
  const seconds = (Math.max(...d.map((x) => x.end)) - Math.min(...d.map((x) => x.start))) / 1000;
  const bytes = d.reduce((n, x) => n + x.bytes, 0);
  const hashed = d.filter((x) => x.sha256).length;
  if (errors[0]) console.error(`${target}: first error`, JSON.stringify(errors[0]));
  return {
    seconds,
    p50: nearestRank(times, 50),
    p99: nearestRank(times, 99),
    mbps: bytes / 1e6 / seconds,
    errors: errors.length,
    hashed,
  };
}

async function measure(
  target: string,
  served: Served,
  o: ReturnType<typeof options>,
  file: {
    size: number;
    digest: string;
  },
): Promise<Row> {
  const rss = sampleRss(served.pid);
  const idle = rss.stop().peakMiB;
  const sampler = sampleRss(served.pid);
  const cpuBefore = cpuSeconds(served.pid);
  try {
    const downloads = await load(`${served.url}/initrd.img`, o);
    const mem = sampler.stop();
    const cpuS = cpuSeconds(served.pid) - cpuBefore;
    const s = summarize(target, downloads, file.size, file.digest);
    return { target, ...s, rssMiB: Math.max(mem.peakMiB, mem.hwmMiB), idleMiB: idle, cpuS };
  } finally {
    sampler.stop();
    await served.stop();
  }
}

const f = (n: number, d = 2) => n.toFixed(d);

function print(rows: Row[]): void {
  const head = ['server', 'total s', 'p50 s', 'p99 s', 'MB/s', 'peak RSS MiB (idle)', 'CPU s'];
  head.push('errors');
  const lines = rows.map((r) => [
    r.target,
    f(r.seconds),
    f(r.p50),
    f(r.p99),
    f(r.mbps, 0),
    `${f(r.rssMiB, 0)} (${f(r.idleMiB, 0)})`,
    f(r.cpuS, 1),
    String(r.errors),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  for (const l of [head, ...lines]) console.log(l.map((c, i) => c.padEnd(widths[i]!)).join('  '));
}

async function main(): Promise<void> {
  const o = options();
  const dir = await mkdtemp(join(tmpdir(), 'lanctl-bench-boot-'));
  o.dir = dir;
  await chmod(dir, 0o755); // nginx's workers run as nobody when there is a master
  const loadBefore = loadavg()[0]!;
  const started = Date.now();
  try {
    const www = join(dir, 'www');
    await mkdir(www);
    const data = randomBytes(o.sizeMB * 1_000_000);
    await writeFile(join(www, 'initrd.img'), data);
    const file = { size: data.length, digest: createHash('sha256').update(data).digest('hex') };
    const rows: Row[] = [];
    for (const t of o.targets) {
      const nginx = o.nginxWorkers === 1 ? 'nginx 1 process' : `nginx ${o.nginxWorkers} workers`;
      const label = t === 'nginx' ? nginx : t === 'capped' ? `ours, cap ${o.cap}` : 'ours, no cap';
      const served =
        t === 'nginx'
          ? await startNginx(join(dir, 'nginx'), www, o.nginxWorkers)
          : await startOurs(www, t === 'capped' ? String(o.cap) : 'inf', o.chunkKiB);
      rows.push(await measure(label, served, o, file));
    }
    const clients = o.client === 'node' ? `${o.procs} Node client processes` : 'curl processes';
    console.log(
      `${o.clients} clients × ${o.sizeMB} MB over loopback, ${clients}, read chunk ${o.chunkKiB} KiB`,
    );
    print(rows);
    const load = { before: loadBefore, after: loadavg()[0]! };
    const { dir: _dir, ...shown } = o;
    const runS = (Date.now() - started) / 1000;
    console.log(JSON.stringify({ ...shown, rows, loadavg_1m: load, run_s: runS }));
    if (rows.some((r) => r.errors > 0)) process.exitCode = 1;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
