/**
 * Concurrent writers on one database: two `lanctl serve mdb` processes on one PostgreSQL
 * database (and one process on SQLite) hand out distinct, gapless addresses to 200 creations in
 * flight at once, and creations that fail, including ones that fail after the address was
 * allocated (an injected trigger), write nothing at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase, sql, tableDigest } from '../../packages/db/src/index.ts';
import { freshDatabaseUrl, type TempDir, tempDir } from '../../packages/testkit/src/index.ts';
import { MDB_DIGEST_TABLES } from '../../services/mdb/src/index.ts';
import { inspect } from './consistency.ts';
import {
  byIp,
  call,
  type Keys,
  killAllMdb,
  killMdb,
  lowestHosts,
  type MdbProcess,
  macFor,
  makeKeys,
  spawnMdb,
  until,
} from './support.ts';

const BIG = {
  name: 'big',
  network: '10.20.0.0/22',
  // The allocations cross the reserved single address and the 10.20.0.255 → 10.20.1.0 boundary.
  reserved: ['10.20.0.1-10.20.0.60', '10.20.0.128'],
};
const TINY = { name: 'tiny', network: '10.30.0.0/29' }; // 6 host addresses
const COUNT = 200;
const EXPECTED = lowestHosts(BIG.network, BIG.reserved, COUNT + 1);

/** Safety net: whatever a failed setup left running. */
afterAll(killAllMdb);

const SETUPS = [
  { engine: 'postgres', processes: 2 },
  { engine: 'sqlite', processes: 1 },
] as const;

// The two setups share nothing, so they run side by side; the steps inside each run in order.
describe.concurrent.each(SETUPS)(
  'mdb on $engine, $processes process(es)',
  ({ engine, processes }) => {
    const ctx = { procs: [] as MdbProcess[] } as {
      dir: TempDir;
      keys: Keys;
      fresh: { url: string; cleanup(): Promise<void> };
      procs: MdbProcess[];
      database: Database;
    };
    /** Round-robin over the processes. */
    const url = (i: number) => ctx.procs[i % ctx.procs.length]!.url;
    const post = (i: number, path: string, json: unknown) =>
      call(url(i), path, { method: 'POST', token: ctx.keys.root, json });
    const get = (path: string) => call(url(0), path, { token: ctx.keys.root });

    beforeAll(async () => {
      ctx.dir = await tempDir('lanctl-mdb-concurrency-');
      ctx.keys = makeKeys(ctx.dir.path);
      ctx.fresh = await freshDatabaseUrl(engine);
      // One after the other: the first migrates, the second finds the schema in place.
      for (let i = 0; i < processes; i++) {
        ctx.procs.push(
          await spawnMdb({
            dir: ctx.dir.path,
            name: `mdb-${i}`,
            databaseUrl: ctx.fresh.url,
            publicKeyFile: ctx.keys.publicKeyFile,
          }),
        );
      }
      ctx.database = openDatabase(ctx.fresh.url, { poolSize: 2 });
      // Catalog writes alternate between the processes: each sees the other's.
      const setup = [
        await post(0, '/api/v1/pools', { name: BIG.name, network: BIG.network }),
        await call(url(1), `/api/v1/pools/${BIG.name}`, {
          method: 'PATCH',
          token: ctx.keys.root,
          json: { reserved: BIG.reserved },
        }),
        await post(0, '/api/v1/machine-types', { name: 'bench', pool: BIG.name }),
        await post(1, '/api/v1/pools', TINY),
        await post(0, '/api/v1/machine-types', { name: 'tinyt', pool: TINY.name }),
        await post(1, '/api/v1/machine-types', { name: 'nopool', pool: null }),
      ];
      expect(setup.map((r) => r.status)).toEqual([201, 200, 201, 201, 201, 201]);
    });

    afterAll(async () => {
      await Promise.all(ctx.procs.map(killMdb));
      await ctx.database?.close();
      await ctx.fresh?.cleanup();
      await ctx.dir?.cleanup();
    });

    it.sequential(`gives ${COUNT} concurrent creations the lowest ${COUNT} free addresses, each once`, async () => {
      const replies = await Promise.all(
        Array.from({ length: COUNT }, (_, i) =>
          post(i, '/api/v1/machines', {
            hostname: `c${i}`,
            mac: macFor(1, i),
            mtype: 'bench',
            aliases: i % 4 === 0 ? [`c${i}-a`] : [],
          }),
        ),
      );
      expect(replies.filter((r) => r.status !== 201).map((r) => r.text)).toEqual([]);
      const ips = replies.map((r) => r.body.ip as string);
      expect(new Set(ips).size).toBe(COUNT);
      expect([...ips].sort(byIp)).toEqual(EXPECTED.slice(0, COUNT));

      // What was acknowledged is what is stored, and the change log agrees with the tables.
      const listed = await get('/api/v1/machines?mtype=bench&limit=5000');
      const stored = new Map(
        (listed.body.items as { hostname: string; ip: string }[]).map((m) => [m.hostname, m.ip]),
      );
      expect(stored).toEqual(new Map(replies.map((r) => [r.body.hostname, r.body.ip])));
      const snapshot = await inspect(ctx.database);
      expect(snapshot.problems).toEqual([]);
      expect(snapshot.machineChanges.map((c) => c.op)).toEqual(Array(COUNT).fill('create'));
      expect((await get(`/api/v1/pools/${BIG.name}`)).body).toMatchObject({ used: COUNT });
      if (processes > 1) {
        // Both processes' commits interleave in revision order: they really wrote concurrently.
        const parity = snapshot.machineChanges.map((c) => Number(c.record.hostname.slice(1)) % 2);
        const switches = parity.filter((p, i) => i > 0 && p !== parity[i - 1]).length;
        expect(switches).toBeGreaterThan(1);
      }
    });

    it.sequential('writes nothing for failed creations, even those failing after allocation', async () => {
      for (let i = 0; i < 6; i++) {
        const filled = await post(i, '/api/v1/machines', {
          hostname: `t${i}`,
          mac: macFor(2, i),
          mtype: 'tinyt',
        });
        expect(filled.status).toBe(201);
      }
      await injectFailures(ctx.database);
      const before = await tableDigest(ctx.database, MDB_DIGEST_TABLES);

      const failing = failingCreations();
      const replies = await Promise.all(failing.map((f, i) => post(i, '/api/v1/machines', f.body)));
      const outcome = replies.map((r, i) => ({
        what: failing[i]!.what,
        status: r.status,
        code: r.body?.error?.code,
        fields: (r.body?.error?.details ?? []).map((d: { field: string }) => d.field),
      }));
      expect(outcome).toEqual(
        failing.map((f) => ({ what: f.what, status: f.status, code: f.code, fields: f.fields })),
      );

      expect(await tableDigest(ctx.database, MDB_DIGEST_TABLES)).toBe(before);
      expect((await get(`/api/v1/pools/${BIG.name}`)).body).toMatchObject({ used: COUNT });
      expect((await get(`/api/v1/pools/${TINY.name}`)).body).toMatchObject({ used: 6, size: 6 });

      // Every injected failure happened after allocating, and each got the same next address:
      // the rolled-back allocations before it burnt nothing.
      const injected = failing.filter((f) => f.status === 500).map((f) => f.kind);
      const logged = () =>
        ctx.procs.flatMap((p) =>
          p.lines().flatMap((line) => {
            const hit = /injected (late )?failure at ([\d.]+)/.exec(line);
            return hit ? [`${hit[1] ? 'late' : 'insert'} ${hit[2]}`] : [];
          }),
        );
      await until(() => logged().length >= injected.length, 10_000, 'injected failures logged');
      expect(logged().sort()).toEqual(injected.map((kind) => `${kind} ${EXPECTED[COUNT]}`).sort());

      const next = await post(1, '/api/v1/machines', {
        hostname: 'after-failures',
        mac: macFor(3, 0),
        mtype: 'bench',
      });
      expect(next.status).toBe(201);
      expect(next.body.ip).toBe(EXPECTED[COUNT]);
      expect((await get(`/api/v1/pools/${BIG.name}`)).body).toMatchObject({ used: COUNT + 1 });
      expect((await inspect(ctx.database)).problems).toEqual([]);
    });
  },
);

interface FailingCreation {
  what: string;
  /** Which injected trigger refuses it, if any. */
  kind?: 'insert' | 'late';
  body: Record<string, unknown>;
  status: number;
  code: string;
  fields: string[];
}

/** 50 creations, each refused at a different stage of `MachineStore.create`. */
function failingCreations(): FailingCreation[] {
  const out: FailingCreation[] = [];
  const add = (n: number, what: string, make: (k: number) => Partial<FailingCreation>) => {
    for (let k = 0; k < n; k++) {
      out.push({ what: `${what} ${k}`, status: 0, code: '', fields: [], body: {}, ...make(k) });
    }
  };
  const bench = (k: number, prefix: string, mac: number) => ({
    hostname: `${prefix}-${k}`,
    mac: macFor(mac, k),
    mtype: 'bench',
  });
  // After allocation: the machines insert fails (trigger), then the change-log append fails.
  add(10, 'insert fails', (k) => ({
    body: bench(k, 'boom', 9),
    kind: 'insert',
    status: 500,
    code: 'internal',
  }));
  add(10, 'log append fails', (k) => ({
    body: { ...bench(k, 'late', 10), aliases: [`late-${k}-a`] },
    kind: 'late',
    status: 500,
    code: 'internal',
  }));
  // In allocation, and before it.
  add(8, 'pool exhausted', (k) => ({
    body: { ...bench(k, 'full', 11), mtype: 'tinyt' },
    status: 409,
    code: 'pool_exhausted',
    fields: ['ip'],
  }));
  add(4, 'type without pool', (k) => ({
    body: { ...bench(k, 'np', 12), mtype: 'nopool' },
    status: 422,
    code: 'unprocessable',
    fields: ['ip'],
  }));
  add(4, 'duplicate mac', (k) => ({
    body: { ...bench(k, 'dm', 13), mac: macFor(1, k) },
    status: 409,
    code: 'conflict',
    fields: ['mac'],
  }));
  add(4, 'alias is a hostname', (k) => ({
    body: { ...bench(k, 'da', 14), aliases: [`c${k + 1}`] },
    status: 409,
    code: 'conflict',
    fields: ['aliases'],
  }));
  add(4, 'explicit ip taken', (k) => ({
    body: { ...bench(k, 'di', 15), ip: EXPECTED[k] },
    status: 409,
    code: 'conflict',
    fields: ['ip'],
  }));
  add(3, 'unknown room', (k) => ({
    body: { ...bench(k, 'ur', 16), room: 'nowhere' },
    status: 422,
    code: 'unprocessable',
    fields: ['room'],
  }));
  add(3, 'unknown type', (k) => ({
    body: { ...bench(k, 'ut', 17), mtype: 'nosuch' },
    status: 422,
    code: 'unprocessable',
    fields: ['mtype'],
  }));
  return out;
}

/**
 * Test-only triggers: a machine named `boom-*` fails its INSERT, one named `late-*` fails the
 * change-log append after the machine and its names were inserted. Both fire after the address
 * was allocated (and the pool's hint moved) and report that address in the error.
 */
async function injectFailures(database: Database): Promise<void> {
  const statements =
    database.engine === 'postgres'
      ? [
          `CREATE FUNCTION test_fail_machine() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             IF NEW.hostname LIKE 'boom-%' THEN
               RAISE EXCEPTION 'injected failure at %', NEW.ip;
             END IF;
             RETURN NEW;
           END $$`,
          `CREATE FUNCTION test_fail_log() RETURNS trigger LANGUAGE plpgsql AS $$
           BEGIN
             IF NEW.tbl = 'machines' AND (NEW.record::json->>'hostname') LIKE 'late-%' THEN
               RAISE EXCEPTION 'injected late failure at %', NEW.record::json->>'ip';
             END IF;
             RETURN NEW;
           END $$`,
          `CREATE TRIGGER test_fail_machine BEFORE INSERT ON machines
           FOR EACH ROW EXECUTE FUNCTION test_fail_machine()`,
          `CREATE TRIGGER test_fail_log BEFORE INSERT ON change_log
           FOR EACH ROW EXECUTE FUNCTION test_fail_log()`,
        ]
      : [
          `CREATE TRIGGER test_fail_machine BEFORE INSERT ON machines
           WHEN NEW.hostname LIKE 'boom-%'
           BEGIN SELECT RAISE(ABORT, 'injected failure at ' || NEW.ip); END`,
          `CREATE TRIGGER test_fail_log BEFORE INSERT ON change_log
           WHEN NEW.tbl = 'machines' AND json_extract(NEW.record, '$.hostname') LIKE 'late-%'
           BEGIN SELECT RAISE(ABORT, 'injected late failure at ' || json_extract(NEW.record, '$.ip')); END`,
        ];
  for (const statement of statements) await sql.raw(statement).execute(database.db);
}
