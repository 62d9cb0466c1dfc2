/**
 * udb benchmark: the contest morning. udb runs in this process on a fresh SQLite file (and/or a
 * throwaway PostgreSQL); 1,000 people are imported from a names-only CSV, the password sheet is
 * rendered from the import's answer, then every one of them logs in with the sheet's password.
 * Also times one sha512-crypt hash at the default 5000 rounds.
 *
 *   pnpm bench:udb [--people 1000] [--concurrency 8] [--engine sqlite|postgres|both]
 *
 * Only loopback traffic; every loop is bounded by --people. Figures: docs/benchmarks.md.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { hashPassword } from '@lanctl/auth';
import type { Engine } from '@lanctl/db';
// By path: the testkit's index also exports vitest helpers, which load only under vitest.
import {
  createTestDatabase,
  type PostgresCluster,
  startPostgres,
} from '../../packages/testkit/src/postgres.ts';
import { importThenLogin, type ScenarioResult } from '../../tests/udb/scenario.ts';
import { startUdbIn } from '../../tests/udb/server.ts';
import { round } from './http.ts';

interface Options {
  people: number;
  concurrency: number;
  engines: Engine[];
}

/** Bench config: logins all come from 127.0.0.1, so the per-address limit must not bite. */
const BENCH_CONFIG = {
  login_rate_limit: { per_address: { max: 100_000, window_seconds: 60 } },
};

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      people: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '8' },
      engine: { type: 'string', default: 'sqlite' },
    },
  });
  const int = (name: string, raw: string, max: number) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`--${name}: 1..${max}`);
    return n;
  };
  const engine = values.engine;
  if (engine !== 'sqlite' && engine !== 'postgres' && engine !== 'both') {
    throw new Error('--engine: sqlite, postgres or both');
  }
  return {
    // The default uid pool of contestants holds 1,000 accounts; the name table 1,600 people.
    people: int('people', values.people, 1000),
    concurrency: int('concurrency', values.concurrency, 256),
    engines: engine === 'both' ? ['sqlite', 'postgres'] : [engine],
  };
}

/** One hash at the default rounds: 3 warm-ups, then the median and the minimum of 21. */
function hashTiming(): { median_ms: number; min_ms: number } {
  const times: number[] = [];
  for (let i = 0; i < 24; i++) {
    const t0 = performance.now();
    hashPassword(`bench-password-${i}`);
    if (i >= 3) times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { median_ms: round(times[10]!, 2), min_ms: round(times[0]!, 2) };
}

async function runEngine(
  engine: Engine,
  options: Options,
  postgres: PostgresCluster | null,
): Promise<ScenarioResult> {
  const dir = await mkdtemp(join(tmpdir(), 'lanctl-bench-udb-'));
  const database =
    engine === 'sqlite'
      ? { url: join(dir, 'udb.sqlite'), drop: async () => {} }
      : await createTestDatabase(postgres!.url, 'lanctl_bench_udb');
  try {
    const udb = await startUdbIn(dir, database.url, { config: BENCH_CONFIG });
    try {
      return await importThenLogin(udb.url, udb.rootToken, options);
    } finally {
      await udb.stop();
    }
  } finally {
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

function printTable(results: Partial<Record<Engine, ScenarioResult>>): void {
  const header = ['engine', 'step', 'ops', 'time s', 'ops/s', 'p50 ms', 'p99 ms', 'max ms', 'note'];
  const rows: string[][] = [header];
  for (const [engine, r] of Object.entries(results)) {
    const s = r.import.ms / 1000;
    const created = `${r.import.summary.created} created, ${r.import.summary.error} errors`;
    rows.push(
      [engine, 'import (POST /users/import, CSV)', String(r.people), String(round(s, 2))].concat([
        String(Math.round(r.people / s)),
        '',
        '',
        '',
        created,
      ]),
    );
    rows.push(
      [engine, 'sheet (POST /users/sheets, TSV)', String(r.sheet.entries)].concat([
        String(round(r.sheet.ms / 1000, 3)),
        '',
        '',
        '',
        '',
        `${r.sheet.bytes} bytes`,
      ]),
    );
    const l = r.logins;
    rows.push(
      [engine, 'login (POST /auth/login)', String(l.count), String(l.seconds)]
        .concat([String(l.perSecond), String(l.p50ms), String(l.p99ms), String(l.maxms)])
        .concat(`${l.succeeded}/${l.count} succeeded`),
    );
  }
  const widths = header.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  const left = (c: number) => c < 2 || c === header.length - 1;
  for (const row of rows) {
    const cells = header.map((_, c) =>
      left(c) ? (row[c] ?? '').padEnd(widths[c]!) : (row[c] ?? '').padStart(widths[c]!),
    );
    console.log(cells.join('  ').trimEnd());
  }
}

async function main(): Promise<void> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (e) {
    console.error(`bench:udb: ${(e as Error).message}`);
    process.exit(2);
  }
  const started = performance.now();
  const loadBefore = round(loadavg()[0]!, 2);
  console.log(
    `udb benchmark: ${options.people} people, ${options.concurrency} login clients, in-process, ` +
      `Node ${process.version}, ${availableParallelism()} cores, ${new Date().toISOString()}, ` +
      `load average ${loadBefore}`,
  );
  const hash = hashTiming();
  let postgres: PostgresCluster | null = null;
  const results: Partial<Record<Engine, ScenarioResult>> = {};
  try {
    if (options.engines.includes('postgres')) postgres = await startPostgres();
    for (const engine of options.engines)
      results[engine] = await runEngine(engine, options, postgres);
  } finally {
    await postgres?.stop();
  }
  console.log('');
  console.log(
    `sha512-crypt, 5000 rounds: ${hash.median_ms} ms a hash (median of 21; min ${hash.min_ms})`,
  );
  printTable(results);
  console.log('');
  const failed = Object.values(results).flatMap((r) => r.logins.failures);
  for (const failure of failed.slice(0, 10)) console.error(`login failed: ${failure}`);
  console.log(
    JSON.stringify({
      bench: 'udb',
      date: new Date().toISOString(),
      node: process.version,
      cores: availableParallelism(),
      people: options.people,
      concurrency: options.concurrency,
      sha512_crypt_5000_ms: hash,
      total_s: round((performance.now() - started) / 1000, 1),
      loadavg_1m: { before: loadBefore, after: round(loadavg()[0]!, 2) },
      peak_rss_mib: Math.round(process.resourceUsage().maxRSS / 1024),
      results: Object.fromEntries(
        Object.entries(results).map(([engine, { passwords: _secret, ...r }]) => [engine, r]),
      ),
    }),
  );
  if (failed.length > 0) process.exit(1);
}

await main();
