/**
 * A change-log tailer reading "after N" on its own connection while 8 writers commit through
 * the mdb store and another writer holds the write lock for 0.3 s at a time: nobody commits while
 * the lock is held, the tailer never skips or repeats a revision, and the machines it rebuilds
 * from the log are exactly what the API serves, round after round.
 */
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createMetricsRegistry } from '../../packages/core/src/index.ts';
import { type Database, openDatabase, sql, writeTransaction } from '../../packages/db/src/index.ts';
import {
  formatIpv4,
  type Machine,
  machineCreateSchema,
  machineUpdateSchema,
} from '../../packages/model/src/index.ts';
import {
  appendChange,
  type ChangeEntry,
  headRevision,
  readChanges,
} from '../../packages/sync/src/index.ts';
import { freshDatabaseUrl, type TempDir, tempDir } from '../../packages/testkit/src/index.ts';
import {
  create,
  type MdbService,
  type MdbTables,
  mdbConfigSchema,
} from '../../services/mdb/src/index.ts';
import { call, type Keys, macFor, makeKeys, until } from './support.ts';

const ROUNDS = 5;
const WRITERS = 8;
/** Operations per writer and round: creations, three kinds of update, deletions. */
const OPS = 15;
const HOLDS = 2;
const BATCH = 25;

interface Hold {
  /** Head revision seen from another connection right after taking the lock, and 0.3 s later. */
  before: number;
  after: number;
  /** Store writes started and not finished when the sleep ended. */
  waiting: number;
  revision: number;
}

describe('change-log tailer on postgres, 8 writers and a held write lock', () => {
  const ctx = {} as {
    dir: TempDir;
    keys: Keys;
    fresh: { url: string; cleanup(): Promise<void> };
    service: MdbService;
    url: string;
    handles: Database<MdbTables>[];
  };
  /** What the tailer rebuilt so far: entity id → record; and the last revision it applied. */
  const state = new Map<string, Machine>();
  let last = 0;

  beforeAll(async () => {
    ctx.dir = await tempDir('lanctl-mdb-tailer-');
    ctx.keys = makeKeys(ctx.dir.path);
    ctx.fresh = await freshDatabaseUrl('postgres');
    const config = mdbConfigSchema.parse({
      listen: { host: '127.0.0.1', port: 0 },
      sync: { port: 0 },
      database: { url: ctx.fresh.url },
      auth: { public_key_file: ctx.keys.publicKeyFile },
    });
    ctx.service = create(config, {
      logger: createLogger('t', { silent: true }),
      metrics: createMetricsRegistry(),
      publicKey: ctx.keys.publicKey,
    });
    ctx.url = (await ctx.service.start()).url;
    // The tailer, the lock holder and the probe each have their own connection.
    ctx.handles = [0, 1, 2].map(() => openDatabase(ctx.fresh.url, { poolSize: 1 }));
    // 5 rounds of net +66 machines do not fit the default /24.
    const pool = await call(ctx.url, '/api/v1/pools', {
      method: 'POST',
      token: ctx.keys.root,
      json: { name: 'big', network: '10.40.0.0/22' },
    });
    const type = await call(ctx.url, '/api/v1/machine-types', {
      method: 'POST',
      token: ctx.keys.root,
      json: { name: 'bench', pool: 'big' },
    });
    expect([pool.status, type.status]).toEqual([201, 201]);
  });

  afterAll(async () => {
    await ctx.service?.stop();
    await Promise.all((ctx.handles ?? []).map((h) => h.close()));
    await ctx.fresh?.cleanup();
    await ctx.dir?.cleanup();
  });

  it.each(Array.from({ length: ROUNDS }, (_, i) => i + 1))(
    'round %i: no revision skipped, rebuilt machines equal the served ones',
    async (round) => {
      const [tailDb, heldDb, probeDb] = ctx.handles as [Database, Database, Database];
      const from = last;
      const skipped: string[] = [];
      let writersDone = false;
      const tailer = async () => {
        const deadline = Date.now() + 30_000;
        for (let reads = 0; reads < 200_000 && Date.now() < deadline; reads++) {
          // Whether the writers had all finished before this read began: only then does an
          // empty read mean the tailer has caught up (a read racing the last commit may not).
          const doneBefore = writersDone;
          const batch = await readChanges(tailDb.db, { after: last, limit: BATCH });
          for (const entry of batch) {
            if (entry.revision !== last + 1) skipped.push(`after ${last} came ${entry.revision}`);
            last = entry.revision;
            if (entry.table === 'machines') apply(state, entry as ChangeEntry<Machine>);
          }
          // Caught up after the last writer finished: every commit is visible now.
          if (batch.length === 0 && doneBefore) return;
          if (batch.length < BATCH) await sleep(2);
        }
        throw new Error(`tailer gave up at revision ${last}`);
      };

      let pending = 0;
      let finished = 0;
      const writer = async (w: number) => {
        const mine: string[] = [];
        for (let j = 0; j < OPS; j++) {
          pending++;
          try {
            mine.push(...(await step(ctx.service, round, w, j, mine)));
          } finally {
            pending--;
            finished++;
          }
        }
      };

      const holds: Hold[] = [];
      const holder = async () => {
        for (let h = 0; h < HOLDS; h++) {
          const progress = ((h + 1) * WRITERS * OPS) / (HOLDS + 1);
          await until(() => finished >= progress, 20_000, `${progress} store writes`);
          holds.push(await holdLock(heldDb, probeDb, round, h, () => pending));
        }
      };

      const tailing = tailer();
      await Promise.all([holder(), ...Array.from({ length: WRITERS }, (_, w) => writer(w))]);
      writersDone = true;
      await tailing;

      expect(skipped).toEqual([]);
      expect(last).toBe(await headRevision(probeDb.db));
      expect(last - from).toBeGreaterThanOrEqual(WRITERS * OPS + HOLDS);
      for (const hold of holds) {
        // Others were waiting, yet nothing committed while the lock was held...
        expect(hold.waiting).toBeGreaterThan(0);
        expect(hold.after).toBe(hold.before);
        // ...and the held transaction took the very next revision.
        expect(hold.revision).toBe(hold.before + 1);
      }

      const served = await call(ctx.url, '/api/v1/machines?limit=5000', { token: ctx.keys.root });
      expect(served.status).toBe(200);
      expect(served.body.next).toBeNull();
      const rebuilt = [...state.values()].sort((a, b) => a.hostname.localeCompare(b.hostname));
      expect(digest(rebuilt)).toBe(digest(served.body.items));
      const ids = await probeDb.db.selectFrom('machines').select('id').orderBy('id').execute();
      expect([...state.keys()].sort()).toEqual(ids.map((r) => r.id).sort());
    },
  );
});

function apply(state: Map<string, Machine>, entry: ChangeEntry<Machine>): void {
  if (entry.op === 'delete') state.delete(entry.entity_id);
  else state.set(entry.entity_id, entry.record);
}

/** SHA-256 of a list of records with sorted keys, so only content and list order matter. */
function digest(records: unknown[]): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([k, x]) => [k, canonical(x)]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(records)))
    .digest('hex');
}

/**
 * One store operation of writer `w`: mostly creations, every 5th an update (edit, rename or
 * re-allocation), every 7th a deletion. Returns hostnames to add to the writer's list.
 */
async function step(
  service: MdbService,
  round: number,
  w: number,
  j: number,
  mine: string[],
): Promise<string[]> {
  const machines = service.store.machines;
  if (j % 7 === 6 && mine.length > 0) {
    await machines.remove(mine.shift()!);
    return [];
  }
  if (j % 5 === 4 && mine.length > 0) {
    const target = mine[mine.length - 1]!;
    const kind = (j + w) % 3;
    if (kind === 0) {
      mine.pop();
      const renamed = `${target}-mv`;
      await machines.update(target, machineUpdateSchema.parse({ hostname: renamed }));
      return [renamed];
    }
    const patch =
      kind === 1
        ? { is_faulty: true, is_faulty_details: `round ${round}`, room: 'pasteur', aliases: [] }
        : { ip: null };
    await machines.update(target, machineUpdateSchema.parse(patch));
    return [];
  }
  const hostname = `r${round}w${w}n${j}`;
  await machines.create(
    machineCreateSchema.parse({
      hostname,
      mac: macFor(0x40 + round, w * 100 + j),
      mtype: 'bench',
      aliases: j % 3 === 0 ? [`${hostname}-a`] : [],
    }),
  );
  return [hostname];
}

/**
 * Takes the write lock on a separate handle, sleeps 0.3 s in it, then inserts a machine (row,
 * name and change-log entry, as the store would) so the rebuilt state must include it.
 */
function holdLock(
  held: Database,
  probe: Database,
  round: number,
  h: number,
  pending: () => number,
): Promise<Hold> {
  return writeTransaction(held as Database<MdbTables>, async (tx) => {
    const before = await headRevision(probe.db);
    await sql`SELECT pg_sleep(0.3)`.execute(tx);
    const after = await headRevision(probe.db);
    const waiting = pending();
    const stamp = new Date().toISOString();
    const ipInt = (10 << 24) + (99 << 16) + (round << 8) + h + 1; // outside every pool
    const row = {
      id: randomUUID(),
      hostname: `held-${round}-${h}`,
      aliases: '[]',
      ip: formatIpv4(ipInt),
      ip_int: ipInt,
      mac: macFor(0x99, round * 10 + h),
      uuid: null,
      rfs: 0,
      hfs: 0,
      mtype: 'orga',
      room: 'other',
      is_faulty: 0,
      is_faulty_details: '',
      boot_profile: null,
      created_at: stamp,
      updated_at: stamp,
    };
    await tx.insertInto('machines').values(row).execute();
    await tx.insertInto('host_names').values({ name: row.hostname, machine_id: row.id }).execute();
    const record: Machine = {
      hostname: row.hostname,
      aliases: [],
      ip: row.ip,
      mac: row.mac,
      rfs: 0,
      hfs: 0,
      mtype: row.mtype,
      room: row.room,
      is_faulty: false,
      is_faulty_details: '',
      uuid: null,
      boot_profile: null,
      created_at: stamp,
      updated_at: stamp,
    };
    const revision = await appendChange(tx, {
      table: 'machines',
      entity_id: row.id,
      op: 'create',
      record,
    });
    return { before, after, waiting, revision };
  });
}
