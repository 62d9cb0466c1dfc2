import type { AppMigration, WriteTx } from '@lanctl/db';
import { type Kysely, PostgresAdapter, sql } from 'kysely';

export type ChangeOp = 'create' | 'update' | 'delete';

/** One row of a service's change log: what changed, as of which revision. */
export interface ChangeEntry<R = unknown> {
  revision: number;
  /** Table name as streamed (`machines`, `switches`, ...). */
  table: string;
  /** Immutable internal id of the row; stays the same when its hostname, MAC or IP changes. */
  entity_id: string;
  op: ChangeOp;
  /** The full record after the change (before it, for a delete). */
  record: R;
  at: string;
}

interface ChangeLogRow {
  revision: number;
  tbl: string;
  entity_id: string;
  op: string;
  record: string;
  at: string;
}

export interface ChangeLogTables {
  change_log: ChangeLogRow;
}

/** The change-log table, included in every owning service's migrations. */
export const changeLogMigration: AppMigration = {
  async up(db, engine) {
    await db.schema
      .createTable('change_log')
      .addColumn('revision', engine === 'postgres' ? 'bigint' : 'integer', (c) => c.primaryKey())
      .addColumn('tbl', 'text', (c) => c.notNull())
      .addColumn('entity_id', 'text', (c) => c.notNull())
      .addColumn('op', 'text', (c) => c.notNull())
      .addColumn('record', 'text', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('change_log_entity')
      .on('change_log')
      .columns(['entity_id'])
      .execute();
  },
};

/**
 * Appends one change in the caller's write transaction. The revision is the previous maximum
 * plus one: writers hold the database's write lock (see `writeTransaction`), so revisions have no
 * gaps and a reader of "after N" can never miss a lower revision that commits later.
 */
export async function appendChange(
  tx: WriteTx,
  change: { table: string; entity_id: string; op: ChangeOp; record: unknown },
  now: Date = new Date(),
): Promise<number> {
  const { rows } = await sql<{ next: number }>`
    SELECT COALESCE(MAX(revision), 0) + 1 AS next FROM change_log`.execute(tx);
  const revision = Number(rows[0]!.next);
  await (tx as Kysely<ChangeLogTables>)
    .insertInto('change_log')
    .values({
      revision,
      tbl: change.table,
      entity_id: change.entity_id,
      op: change.op,
      record: JSON.stringify(change.record),
      at: now.toISOString(),
    })
    .execute();
  if (tx.getExecutor().adapter instanceof PostgresAdapter) {
    // Delivered at commit (never for a rollback) to every process LISTENing on this database.
    await sql`SELECT pg_notify(${CHANGE_CHANNEL}, ${String(revision)})`.execute(tx);
  }
  return revision;
}

/** The PostgreSQL channel owners' stream readers LISTEN on. */
export const CHANGE_CHANNEL = 'lanctl_change_log';

/** The lowest revision still in the log (0 when empty): a resume from below it needs a snapshot. */
export async function oldestRevision(db: Kysely<any>): Promise<number> {
  const row = await (db as Kysely<ChangeLogTables>)
    .selectFrom('change_log')
    .select((eb) => eb.fn.min('revision').as('oldest'))
    .executeTakeFirst();
  return Number(row?.oldest ?? 0);
}

/**
 * Drops all but the newest `keep` entries. Subscribers further behind than that resume with a
 * snapshot flagged as a reset; the newest entry is always kept, so revisions never restart.
 */
export async function compactChangeLog(db: Kysely<any>, keep: number): Promise<number> {
  const head = await headRevision(db);
  const result = await (db as Kysely<ChangeLogTables>)
    .deleteFrom('change_log')
    .where('revision', '<=', head - Math.max(1, keep))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Changes with a revision above `after`, oldest first, optionally for some tables only. */
export async function readChanges(
  db: Kysely<any>,
  options: { after: number; limit?: number; tables?: string[] },
): Promise<ChangeEntry[]> {
  let query = (db as Kysely<ChangeLogTables>)
    .selectFrom('change_log')
    .selectAll()
    .where('revision', '>', options.after)
    .orderBy('revision')
    .limit(options.limit ?? 1000);
  if (options.tables?.length) query = query.where('tbl', 'in', options.tables);
  const rows = await query.execute();
  return rows.map((r) => ({
    revision: Number(r.revision),
    table: r.tbl,
    entity_id: r.entity_id,
    op: r.op as ChangeOp,
    record: JSON.parse(r.record),
    at: r.at,
  }));
}

export async function headRevision(db: Kysely<any>): Promise<number> {
  const row = await (db as Kysely<ChangeLogTables>)
    .selectFrom('change_log')
    .select((eb) => eb.fn.max('revision').as('head'))
    .executeTakeFirst();
  return Number(row?.head ?? 0);
}
