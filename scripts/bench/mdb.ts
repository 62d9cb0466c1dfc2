/**
 * mdb benchmark: creates machines through the HTTP API with concurrent keep-alive clients, lists
 * them all, and looks machines up by MAC, on SQLite and/or a throwaway PostgreSQL.
 *
 *   pnpm bench:mdb [--count 10000] [--concurrency 8] [--lookups 2000]
 *                  [--engine sqlite|postgres|both] [--pg] [--in-process]
 *
 * Only loopback traffic; every loop is bounded by --count / --lookups. Figures: docs/benchmarks.md.
 */
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { type PostgresCluster, startPostgres } from '../../packages/testkit/src/postgres.ts';
import { Client, type LoadResult, round, runLoad } from './http.ts';
import { type BenchServer, type Engine, type Mode, startServer } from './server.ts';

const PG_CTL = '/usr/lib/postgresql/15/bin/pg_ctl';
const PAGE = 5000;

interface Options {
  count: number;
  concurrency: number;
  lookups: number;
  engines: Engine[];
  mode: Mode;
}

interface EngineResult {
  create: LoadResult;
  /** Whole listing of every machine, paged with `next`: each of the runs, then the median. */
  list: { pages: number; runs_ms: number[]; median_ms: number };
  lookup: LoadResult;
  server_peak_rss_mib: number | null;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      count: { type: 'string', default: '10000' },
      concurrency: { type: 'string', default: '8' },
      lookups: { type: 'string', default: '2000' },
      engine: { type: 'string' },
      pg: { type: 'boolean', default: false },
      'in-process': { type: 'boolean', default: false },
    },
  });
  const int = (name: string, raw: string, max: number) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`--${name}: 1..${max}`);
    return n;
  };
  const engine = values.engine ?? (values.pg || existsSync(PG_CTL) ? 'both' : 'sqlite');
  if (engine !== 'sqlite' && engine !== 'postgres' && engine !== 'both') {
    throw new Error('--engine: sqlite, postgres or both');
  }
  if (!values.engine && engine === 'sqlite') {
    console.error(`note: ${PG_CTL} missing, PostgreSQL skipped (apt-get install postgresql)`);
  }
  return {
    count: int('count', values.count, 1_000_000),
    concurrency: int('concurrency', values.concurrency, 256),
    lookups: int('lookups', values.lookups, 1_000_000),
    engines: engine === 'both' ? ['sqlite', 'postgres'] : [engine],
    mode: values['in-process'] ? 'in-process' : 'serve',
  };
}

/** The smallest 10.0.0.0/p network with room for `count` hosts (a /16 for 10,000). */
function benchNetwork(count: number): string {
  let prefix = 16;
  while (2 ** (32 - prefix) - 2 < count) prefix--;
  if (prefix < 8) throw new Error('--count: at most 16,777,214 machines');
  return `10.0.0.0/${prefix}`;
}

/** A locally administered unicast MAC (02:...) that encodes `i`. */
function benchMac(i: number): string {
  const bytes = [2, 0, (i >>> 24) & 255, (i >>> 16) & 255, (i >>> 8) & 255, i & 255];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

const hostname = (i: number) => `bench-${String(i).padStart(7, '0')}`;

/** Deterministic pseudo-random indexes (mulberry32), so runs look up the same machines. */
function randomIndexes(n: number, below: number, seed = 42): number[] {
  let a = seed;
  return Array.from({ length: n }, () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  });
}

async function listAll(client: Client, expected: number): Promise<{ pages: number; ms: number }> {
  const t0 = performance.now();
  let after: string | null = null;
  let seen = 0;
  let pages = 0;
  do {
    const query: string = after ? `&after=${encodeURIComponent(after)}` : '';
    const page = await client.expect(200, 'GET', `/api/v1/machines?limit=${PAGE}${query}`);
    seen += page.items.length;
    pages++;
    after = page.next;
  } while (after !== null);
  const ms = performance.now() - t0;
  if (seen !== expected) throw new Error(`listing returned ${seen} machines, expected ${expected}`);
  return { pages, ms: round(ms, 1) };
}

async function measure(server: BenchServer, options: Options): Promise<EngineResult> {
  const client = new Client(server.url, server.token, options.concurrency);
  try {
    await client.expect(201, 'POST', '/api/v1/pools', {
      name: 'bench',
      network: benchNetwork(options.count),
    });
    await client.expect(201, 'POST', '/api/v1/machine-types', { name: 'bench', pool: 'bench' });
    const create = await runLoad(options.count, options.concurrency, async (i) => {
      await client.expect(201, 'POST', '/api/v1/machines', {
        hostname: hostname(i),
        mac: benchMac(i),
        mtype: 'bench',
      });
    });
    const runs = [];
    for (let r = 0; r < 3; r++) runs.push(await listAll(client, options.count));
    const runsMs = runs.map((r) => r.ms);
    const targets = randomIndexes(options.lookups, options.count);
    const lookup = await runLoad(options.lookups, options.concurrency, async (i) => {
      const mac = benchMac(targets[i]!);
      const page = await client.expect(200, 'GET', `/api/v1/machines?mac=${mac}`);
      if (page.items.length !== 1 || page.items[0].mac !== mac) {
        throw new Error(`lookup of ${mac}: ${JSON.stringify(page.items)}`);
      }
    });
    return {
      create,
      list: {
        pages: runs[0]!.pages,
        runs_ms: runsMs,
        median_ms: [...runsMs].sort((a, b) => a - b)[1]!,
      },
      lookup,
      server_peak_rss_mib: await server.peakRssMiB(),
    };
  } finally {
    client.close();
  }
}

function printTable(options: Options, results: Partial<Record<Engine, EngineResult>>): void {
  const header = ['engine', 'step', 'ops', 'time s', 'ops/s', 'p50 ms', 'p99 ms', 'max ms', 'note'];
  const rows: string[][] = [header];
  const load = (engine: string, step: string, r: LoadResult, note = '') =>
    rows.push(
      [engine, step, r.count, r.seconds, r.perSecond, r.p50ms, r.p99ms, r.maxms, note].map(String),
    );
  for (const [engine, r] of Object.entries(results)) {
    load(
      engine,
      'create (POST /machines)',
      r.create,
      `server peak RSS ${r.server_peak_rss_mib} MiB`,
    );
    const seconds = r.list.median_ms / 1000;
    rows.push([
      engine,
      `list all (GET ?limit=${PAGE}, ${r.list.pages} pages)`,
      String(options.count),
      String(round(seconds, 3)),
      String(Math.round(options.count / seconds)),
      '',
      '',
      '',
      `median of 3 runs: ${r.list.runs_ms.join(' / ')} ms`,
    ]);
    load(engine, 'lookup by MAC (GET ?mac=)', r.lookup);
  }
  const widths = header.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const left = (c: number) => c < 2 || c === header.length - 1;
  for (const row of rows) {
    const cells = row.map((cell, c) =>
      left(c) ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!),
    );
    console.log(cells.join('  ').trimEnd());
  }
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (e) {
    console.error(`bench:mdb: ${(e as Error).message}`);
    process.exit(2);
  }
  const started = performance.now();
  const how = options.mode === 'serve' ? 'lanctl serve mdb (child process)' : 'in-process';
  // Other work on the machine shows in every figure: the load average says how much there was.
  const loadBefore = round(loadavg()[0]!, 2);
  console.log(
    `mdb benchmark: ${options.count} machines, ${options.concurrency} clients, ${options.lookups} lookups, ` +
      `${how}, Node ${process.version}, ${availableParallelism()} cores, ${new Date().toISOString()}, ` +
      `load average ${loadBefore}`,
  );
  let postgres: PostgresCluster | null = null;
  const results: Partial<Record<Engine, EngineResult>> = {};
  try {
    if (options.engines.includes('postgres')) postgres = await startPostgres();
    for (const engine of options.engines) {
      const server = await startServer(engine, options.mode, postgres);
      try {
        results[engine] = await measure(server, options);
      } finally {
        await server.stop();
      }
    }
  } finally {
    await postgres?.stop();
  }
  console.log('');
  printTable(options, results);
  console.log('');
  console.log(
    JSON.stringify({
      bench: 'mdb',
      date: new Date().toISOString(),
      node: process.version,
      cores: availableParallelism(),
      mode: options.mode,
      count: options.count,
      concurrency: options.concurrency,
      lookups: options.lookups,
      total_s: round((performance.now() - started) / 1000, 1),
      loadavg_1m: { before: loadBefore, after: round(loadavg()[0]!, 2) },
      results,
    }),
  );
}

await main();
