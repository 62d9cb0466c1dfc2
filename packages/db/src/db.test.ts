import { setTimeout as sleep } from 'node:timers/promises';
import { type Kysely, type MigrationResult, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// Relative imports: @lanctl/sync depends on @lanctl/db, and db's package.json lists neither.
import {
  appendChange,
  type ChangeLogTables,
  changeLogMigration,
  headRevision,
  readChanges,
} from '../../sync/src/log.ts';
import { ENGINES, freshDatabaseUrl } from '../../testkit/src/index.ts';
import { tableDigest } from './digest.ts';
import { type AppMigration, migrate } from './migrate.ts';
import { type Database, openDatabase } from './open.ts';
import { writeTransaction } from './write-transaction.ts';

interface Tables extends ChangeLogTables {
  counter: { id: number; value: number };
  item: { id: number; name: string };
}

const schema: AppMigration = {
  async up(db) {
    await db.schema
      .createTable('counter')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('value', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('item')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .execute();
  },
};

const migrations = { '001_schema': schema, '002_change_log': changeLogMigration };

const typed = (database: Database) => database.db as Kysely<Tables>;

/** Opens handles on one fresh, migrated database; PostgreSQL tests use two, like two processes. */
function useDatabase(engine: (typeof ENGINES)[number]) {
  const ctx = { handles: [] as Database[], migrated: [] as MigrationResult[] };
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    const fresh = await freshDatabaseUrl(engine);
    cleanup = fresh.cleanup;
    const count = engine === 'postgres' ? 2 : 1;
    ctx.handles = Array.from({ length: count }, () => openDatabase(fresh.url));
    ctx.migrated = await migrate(ctx.handles[0]!, migrations);
  });
  afterEach(async () => {
    await Promise.all(ctx.handles.map((h) => h.close()));
    await cleanup();
  });
  return ctx;
}

const change = (i: number) =>
  ({ table: 'item', entity_id: `item-${i}`, op: 'create', record: { writer: i } }) as const;

describe.each(ENGINES)('database on %s', (engine) => {
  const ctx = useDatabase(engine);
  const main = () => ctx.handles[0]!;
  /** Round-robin over the handles so PostgreSQL writers really come from separate pools. */
  const handle = (i: number) => ctx.handles[i % ctx.handles.length]!;

  it('applies migrations once and skips them on a second run', async () => {
    const status = (results: MigrationResult[]) => results.map((r) => [r.migrationName, r.status]);
    expect(status(ctx.migrated)).toEqual([
      ['001_schema', 'Success'],
      ['002_change_log', 'Success'],
    ]);
    expect(await migrate(main(), migrations)).toEqual([]);
    const runs: string[] = [];
    const probe = { '003_probe': { up: async () => void runs.push('003') } };
    expect(status(await migrate(main(), { ...migrations, ...probe }))).toEqual([
      ['003_probe', 'Success'],
    ]);
    expect(await migrate(main(), { ...migrations, ...probe })).toEqual([]);
    expect(runs).toEqual(['003']);
  });

  it('keeps a committed write transaction and rolls back a throwing one', async () => {
    await writeTransaction(main(), async (tx) => {
      await (tx as Kysely<Tables>).insertInto('item').values({ id: 1, name: 'kept' }).execute();
      await appendChange(tx, change(1));
    });
    const failing = writeTransaction(main(), async (tx) => {
      await (tx as Kysely<Tables>).insertInto('item').values({ id: 2, name: 'lost' }).execute();
      await appendChange(tx, change(2));
      throw new Error('boom');
    });
    await expect(failing).rejects.toThrow('boom');
    const rows = await typed(main()).selectFrom('item').selectAll().execute();
    expect(rows).toEqual([{ id: 1, name: 'kept' }]);
    expect(await headRevision(main().db)).toBe(1);
  });

  it('serializes concurrent writers (read, wait, write never loses an update)', async () => {
    await typed(main()).insertInto('counter').values({ id: 1, value: 0 }).execute();
    const writers = Array.from({ length: 20 }, (_, i) =>
      writeTransaction(handle(i), async (tx) => {
        const t = tx as Kysely<Tables>;
        const row = await t
          .selectFrom('counter')
          .select('value')
          .where('id', '=', 1)
          .executeTakeFirstOrThrow();
        await sleep(5);
        await t
          .updateTable('counter')
          .set({ value: row.value + 1 })
          .where('id', '=', 1)
          .execute();
      }),
    );
    await Promise.all(writers);
    const row = await typed(main()).selectFrom('counter').select('value').executeTakeFirstOrThrow();
    expect(row.value).toBe(20);
  });

  it('numbers concurrent changes 1..N without gaps, in commit order', async () => {
    const n = 12;
    const commitOrder: number[] = [];
    const revisions = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        writeTransaction(handle(i), async (tx) => {
          await sleep(i % 3);
          const revision = await appendChange(tx, change(i));
          // Still holding the write lock here, so this order is the commit order.
          commitOrder.push(revision);
          return revision;
        }),
      ),
    );
    const all = Array.from({ length: n }, (_, i) => i + 1);
    expect([...revisions].sort((a, b) => a - b)).toEqual(all);
    expect(commitOrder).toEqual(all);
    const changes = await readChanges(main().db, { after: 0 });
    expect(changes.map((c) => c.revision)).toEqual(all);
    for (const c of changes) {
      const writer = (c.record as { writer: number }).writer;
      expect(revisions[writer]).toBe(c.revision);
      expect(c).toMatchObject({ table: 'item', entity_id: `item-${writer}`, op: 'create' });
    }
    const later = await readChanges(handle(1).db, { after: 5 });
    expect(later.map((c) => c.revision)).toEqual(all.slice(5));
    expect(await readChanges(main().db, { after: n })).toEqual([]);
    expect(await headRevision(main().db)).toBe(n);
  });

  it('changes the table digest when a row changes and only then', async () => {
    const tables = [{ name: 'item', orderBy: 'id' }];
    const db = typed(main());
    await db
      .insertInto('item')
      .values([
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
      ])
      .execute();
    const before = await tableDigest(main(), tables);
    expect(await tableDigest(main(), tables)).toBe(before);
    await db.updateTable('item').set({ name: 'a' }).where('id', '=', 1).execute();
    expect(await tableDigest(main(), tables)).toBe(before);
    await db.updateTable('item').set({ name: 'z' }).where('id', '=', 2).execute();
    const changed = await tableDigest(main(), tables);
    expect(changed).not.toBe(before);
    await db.updateTable('item').set({ name: 'b' }).where('id', '=', 2).execute();
    expect(await tableDigest(main(), tables)).toBe(before);
  });
});

describe('sqlite settings', () => {
  const ctx = useDatabase('sqlite');

  it('runs in WAL mode with synchronous=FULL and foreign keys on', async () => {
    const pragma = async (name: string) => {
      const { rows } = await sql<Record<string, unknown>>`PRAGMA ${sql.raw(name)}`.execute(
        ctx.handles[0]!.db,
      );
      return rows[0]?.[name];
    };
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('synchronous')).toBe(2);
    expect(await pragma('foreign_keys')).toBe(1);
  });
});

describe('postgres change log', () => {
  const ctx = useDatabase('postgres');

  it('keeps fsync and synchronous_commit on', async () => {
    const show = async (name: string) => {
      const { rows } = await sql<Record<string, string>>`SHOW ${sql.raw(name)}`.execute(
        ctx.handles[0]!.db,
      );
      return rows[0]?.[name];
    };
    expect(await show('fsync')).toBe('on');
    expect(await show('synchronous_commit')).toBe('on');
  });

  it('never lets a reader of "after N" miss a revision that commits late', async () => {
    const [a, b] = ctx.handles as [Database, Database];
    let lockHeld!: () => void;
    const holding = new Promise<void>((resolve) => {
      lockHeld = resolve;
    });
    const slow = writeTransaction(a, async (tx) => {
      lockHeld();
      await sql`SELECT pg_sleep(0.5)`.execute(tx);
      return appendChange(tx, change(0));
    });
    await holding;
    const others = Array.from({ length: 7 }, (_, i) =>
      writeTransaction(i % 2 ? a : b, (tx) => appendChange(tx, change(i + 1))),
    );
    const seen: number[] = [];
    const deadline = Date.now() + 20_000;
    while (seen.length < 8 && Date.now() < deadline) {
      const batch = await readChanges(b.db, { after: seen.at(-1) ?? 0 });
      seen.push(...batch.map((c) => c.revision));
      await sleep(10);
    }
    await Promise.all([slow, ...others]);
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await slow).toBe(1);
  });
});
