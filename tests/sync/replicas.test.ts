/**
 * Two `lanctl serve mdb` processes on one PostgreSQL database, one subscriber on each one's sync
 * port: whichever process takes a write, both subscribers receive every machine change, in the
 * change log's order, with no gap, and the process that did not take the write learns of it
 * from PostgreSQL's NOTIFY (its poll is set far beyond the test's time bounds).
 */
import { join } from 'node:path';
import { sql } from '@lanctl/db';
import { createTestKeys, freshDatabaseUrl, tempDir, waitFor } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectionProblems, type Subscriber, startSubscriber } from './subscriber.ts';
import {
  freshSnapshot,
  killAllMdb,
  listMachines,
  type MdbChild,
  machineRevisions,
  openDirect,
  recordsDigest,
  spawnMdb,
  stateDigest,
} from './support.ts';
import { httpExecutor, type Op, runWriter } from './writer.ts';

/**
 * The change-log poll of both processes: the schema's maximum. Within this test a process learns
 * of the other's writes only from NOTIFY (or this poll, which never comes before the bounds).
 */
const POLL_MS = 60_000;
/**
 * A functional bound, not a performance one: a NOTIFY wake-up takes milliseconds, the next poll
 * a minute; 2.5 s leaves room for a loaded machine while still telling the two apart.
 */
const NOTIFY_BOUND_MS = 2_500;
const SINGLE_WRITES = 5;
const BULK_A = 400;
const BULK_B = 200;

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await killAllMdb();
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('two mdb processes on one PostgreSQL database', () => {
  let fresh: { url: string };
  let a: MdbChild;
  let b: MdbChild;
  let subA: Subscriber;
  let subB: Subscriber;
  let reader: string;
  let root: string;

  beforeAll(async () => {
    const dir = await tempDir('lanctl-sync-replicas-');
    cleanups.push(dir.cleanup);
    const database = await freshDatabaseUrl('postgres');
    cleanups.push(database.cleanup);
    fresh = database;
    const keys = createTestKeys(dir.path);
    const options = {
      dir: dir.path,
      databaseUrl: fresh.url,
      publicKeyFile: keys.files.publicKeyFile,
      sync: { poll_ms: POLL_MS },
    };
    a = await spawnMdb({ ...options, name: 'a' });
    b = await spawnMdb({ ...options, name: 'b' });
    reader = keys.token('reader');
    root = keys.token('root');
    subA = startSubscriber({ baseUrl: a.syncUrl, token: reader });
    subB = startSubscriber({ baseUrl: b.syncUrl, token: reader });
    cleanups.push(async () => {
      await Promise.all([subA.client.stop(), subB.client.stop()]);
    });
    await waitFor(() => subA.client.connected && subB.client.connected, 'subscribers', 15_000);
  });

  it('both subscribers see every change in revision order, woken by NOTIFY', async () => {
    // One write at a time: how long until the subscriber of the *other* process has it.
    const viaA = httpExecutor(() => a.url, root, 1);
    const viaB = httpExecutor(() => b.url, root, 1);
    const single = async (write: typeof viaA, watcher: Subscriber, i: number) => {
      const before = watcher.client.revision;
      const op: Op = {
        kind: 'create',
        body: { hostname: `single-${i}`, mac: `02:5f:00:00:00:${i.toString(16).padStart(2, '0')}` },
      };
      expect(await write(op)).toBe('ok');
      const acked = Date.now();
      await waitFor(
        () => watcher.client.revision > before,
        `single write ${i} to reach the other process's subscriber`,
        10_000,
      );
      return Date.now() - acked;
    };
    const aToB: number[] = [];
    const bToA: number[] = [];
    for (let i = 0; i < SINGLE_WRITES; i++) aToB.push(await single(viaA, subB, i));
    for (let i = 0; i < SINGLE_WRITES; i++) bToA.push(await single(viaB, subA, 100 + i));
    expect(Math.max(...aToB)).toBeLessThan(NOTIFY_BOUND_MS);
    expect(Math.max(...bToA)).toBeLessThan(NOTIFY_BOUND_MS);

    // Then bursts: through A, then through B.
    const burstA = await runWriter({
      target: BULK_A,
      workers: 4,
      deadline: Date.now() + 60_000,
      execute: httpExecutor(() => a.url, root, 4),
      seed: 21,
    });
    const burstB = await runWriter({
      target: BULK_B,
      workers: 4,
      deadline: Date.now() + 60_000,
      execute: httpExecutor(() => b.url, root, 4),
      seed: 22,
      namespace: 1,
    });
    expect([...burstA.refused, ...burstB.refused]).toEqual([]);

    const direct = openDirect(fresh.url);
    cleanups.push(() => direct.close());
    const revisions = await machineRevisions(direct);
    expect(revisions.length).toBe(2 * SINGLE_WRITES + BULK_A + BULK_B);
    const head = revisions[revisions.length - 1]!;
    const waited = Date.now();
    await waitFor(
      () => subA.client.revision >= head && subB.client.revision >= head,
      `both subscribers at revision ${head}`,
      10_000,
    );
    const lastCatchUp = Date.now() - waited;

    for (const s of [subA, subB]) {
      expect(s.problems).toEqual([]);
      expect(connectionProblems(s.connections, revisions)).toEqual([]);
    }
    // The same changes in the same order on both (both started from the same empty snapshot).
    const changes = (s: Subscriber) =>
      s.connections.flatMap((c) =>
        c.events.filter((e) => e.type === 'change').map((e) => e.revision),
      );
    expect(changes(subA)).toEqual(revisions);
    expect(changes(subB)).toEqual(revisions);

    const truth = await freshSnapshot(a.syncUrl, reader);
    const fromB = await freshSnapshot(b.syncUrl, reader);
    expect(stateDigest(fromB.state)).toBe(stateDigest(truth.state));
    expect(recordsDigest(truth.state.values())).toBe(
      recordsDigest(await listMachines(b.url, reader)),
    );
    expect(stateDigest(subA.client.state)).toBe(stateDigest(truth.state));
    expect(stateDigest(subB.client.state)).toBe(stateDigest(truth.state));
    console.info(
      `sync replicas: A→B ${aToB.join('/')} ms, B→A ${bToA.join('/')} ms, ` +
        `${revisions.length} changes, last catch-up ${lastCatchUp} ms`,
    );
  }, 120_000);

  it('a process whose notifications were cut catches up as soon as it listens again', async () => {
    // PostgreSQL refuses connections to the database for longer than one LISTEN retry (2 s) and
    // the LISTEN connections are killed; a write lands just after connections are allowed again.
    const name = new URL(fresh.url).pathname.slice(1);
    const adminUrl = new URL(fresh.url);
    adminUrl.pathname = '/postgres';
    const admin = openDirect(adminUrl.toString());
    cleanups.push(() => admin.close());
    const before = subB.client.revision;
    const lost = () => b.lines().filter((l) => l.includes('change notifications lost')).length;
    await sql.raw(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`).execute(admin.db);
    try {
      await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE datname = ${name} AND query LIKE 'LISTEN%'`.execute(admin.db);
      await waitFor(() => lost() > 0, 'b to notice', 5_000);
      await new Promise((r) => setTimeout(r, 3_000));
    } finally {
      await sql.raw(`ALTER DATABASE "${name}" ALLOW_CONNECTIONS true`).execute(admin.db);
    }
    const op: Op = { kind: 'create', body: { hostname: 'after-outage', mac: '02:5f:00:00:01:00' } };
    expect(await httpExecutor(() => a.url, root, 1)(op)).toBe('ok');
    // Its NOTIFY went to nobody on b's side; b must read it once it listens again (the poll is a
    // minute away). The bound: the 2 s retry, plus margin for a loaded machine.
    await waitFor(() => subB.client.revision > before, 'b to catch up after the outage', 6_000);
    expect(lost()).toBe(1);
    // One LISTEN connection again per process: a lost one is replaced, not multiplied.
    await waitFor(() => a.lines().some((l) => l.includes('change notifications lost')), 'a', 5_000);
    const listening = async () =>
      Number(
        (
          await sql<{ n: string }>`SELECT count(*) AS n FROM pg_stat_activity
            WHERE datname = ${name} AND query LIKE 'LISTEN%'`.execute(admin.db)
        ).rows[0]!.n,
      );
    await new Promise((r) => setTimeout(r, 2_500)); // any duplicate retry has had its turn
    expect(await listening()).toBe(2);
  }, 30_000);
});

/**
 * Once a bug (packages/sync/src/hub.ts, `subscribe`: "a future revision: from another history"):
 * a subscriber that resumes on a replica whose hub has not yet read what the subscriber already
 * holds (another process on the same database, a moment behind) is treated as coming from
 * another database: it is sent a reset snapshot at the replica's older revision, so its state
 * goes back in time (machines it had disappear until the replica catches up). SQLite makes the
 * lag deterministic (no NOTIFY; the poll is a minute); on PostgreSQL it is the NOTIFY latency,
 * or longer while the LISTEN connection is down. Fixed: the owner now reads its log up to the
 * subscriber's revision before answering (`catchUp`).
 */
describe('a subscriber moving to a replica that lags behind', () => {
  let b: MdbChild;
  let reader: string;
  let stateFile: string;
  let held: { revision: number; size: number };

  beforeAll(async () => {
    const dir = await tempDir('lanctl-sync-lagging-');
    cleanups.push(dir.cleanup);
    const fresh = await freshDatabaseUrl('sqlite');
    cleanups.push(fresh.cleanup);
    const keys = createTestKeys(dir.path);
    const options = {
      dir: dir.path,
      databaseUrl: fresh.url,
      publicKeyFile: keys.files.publicKeyFile,
      sync: { poll_ms: POLL_MS },
    };
    const a = await spawnMdb({ ...options, name: 'lag-a' });
    b = await spawnMdb({ ...options, name: 'lag-b' });
    reader = keys.token('reader');
    stateFile = join(dir.path, 'moving.state.json');
    const onA = startSubscriber({ baseUrl: a.syncUrl, token: reader, stateFile });
    const write = httpExecutor(() => a.url, keys.token('root'), 1);
    for (let i = 0; i < 5; i++) {
      const mac = `02:5f:00:00:02:0${i}`;
      expect(await write({ kind: 'create', body: { hostname: `moved-${i}`, mac } })).toBe('ok');
    }
    await waitFor(() => onA.client.state.size === 5, 'the subscriber on a', 10_000);
    await onA.client.stop();
    held = { revision: onA.client.revision, size: onA.client.state.size };
  });

  it('is never sent an older state than it holds', async () => {
    const onB = startSubscriber({ baseUrl: b.syncUrl, token: reader, stateFile });
    cleanups.push(() => onB.client.stop());
    await waitFor(() => onB.connections.some((c) => c.status === 200), 'b answering', 5_000);
    await new Promise((r) => setTimeout(r, 1_000)); // whatever b sends on resume has come
    expect(onB.problems).toEqual([]);
    expect(onB.updates.filter((u) => u.reset)).toEqual([]);
    expect(onB.client.revision).toBeGreaterThanOrEqual(held.revision);
    expect(onB.client.state.size).toBe(held.size);
  }, 20_000);
});
