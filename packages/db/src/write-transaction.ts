import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from './open.ts';

/** Key of the PostgreSQL advisory lock that serializes writers of one database. */
const WRITE_LOCK_KEY = 0x6c616e63; // "lanc"

declare const writeBrand: unique symbol;
/** A connection inside a serialized write transaction; change-log appends require one. */
export type WriteTx<T = any> = Kysely<T> & { readonly [writeBrand]: true };

/**
 * Runs `fn` in a transaction that holds the database's single write lock: `BEGIN IMMEDIATE` on
 * SQLite, a transaction-scoped advisory lock on PostgreSQL (which also covers several processes
 * sharing one database). Writers are therefore serialized, so revision order equals commit order
 * and "lowest free" allocations cannot race. A throw rolls everything back.
 */
export async function writeTransaction<T, R>(
  database: Database<T>,
  fn: (tx: WriteTx<T>) => Promise<R>,
): Promise<R> {
  const result = await database.db.connection().execute(async (conn) => {
    await sql.raw(database.engine === 'sqlite' ? 'BEGIN IMMEDIATE' : 'BEGIN').execute(conn);
    try {
      if (database.engine === 'postgres') {
        await sql`SELECT pg_advisory_xact_lock(${WRITE_LOCK_KEY})`.execute(conn);
      }
      const result = await fn(conn as WriteTx<T>);
      await sql.raw('COMMIT').execute(conn);
      return result;
    } catch (err) {
      await sql
        .raw('ROLLBACK')
        .execute(conn)
        .catch(() => undefined);
      throw err;
    }
  });
  // Wakes this process's change-stream readers; other processes learn it by NOTIFY or polling.
  database.events.emit('commit');
  return result;
}

/** A read-only snapshot (one consistent view across several queries). */
export async function readTransaction<T, R>(
  database: Database<T>,
  fn: (tx: Transaction<T>) => Promise<R>,
): Promise<R> {
  if (database.engine === 'postgres') {
    return database.db.transaction().setIsolationLevel('repeatable read').execute(fn);
  }
  return database.db.transaction().execute(fn);
}
