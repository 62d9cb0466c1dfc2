import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';

export type Engine = 'sqlite' | 'postgres';

/**
 * An open database. `db` is untyped at this level: each service declares its own table types
 * and narrows with `database.db as Kysely<MyTables>`.
 */
export interface Database<T = any> {
  engine: Engine;
  /** A printable location with no password in it. */
  location: string;
  db: Kysely<T>;
  /** The URL it was opened with (may hold a password: never log it; use `location`). */
  url: string;
  /** Emits `commit` after every write transaction of this process commits. */
  events: EventEmitter;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
}

/**
 * Opens `postgres://...` (or `postgresql://`) with pg, anything else as a SQLite file path
 * (`sqlite:` prefix optional). SQLite runs in WAL mode with `synchronous=FULL`, so a commit that
 * returned has reached the disk and survives `kill -9` and power loss.
 */
export function openDatabase(url: string, options: OpenOptions = {}): Database {
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url, options);
  return openSqlite(url.replace(/^sqlite:(\/\/)?/, ''));
}

function openSqlite(path: string): Database {
  const file = path === ':memory:' ? path : resolve(path);
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 10000');
  const db = new Kysely({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    engine: 'sqlite',
    location: file,
    url: file,
    db,
    events: new EventEmitter(),
    close: () => db.destroy(),
  };
}

/** int8 and numeric columns arrive as numbers (our revisions and addresses stay below 2^53). */
const pgTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format);
  },
};

function openPostgres(url: string, options: OpenOptions): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types: pgTypes as pg.CustomTypesConfig,
  });
  // An idle client losing its server (restart, failover) must not crash the process: the next
  // query gets a fresh connection or a clear error, and /healthz reports the outage meanwhile.
  pool.on('error', () => undefined);
  const db = new Kysely({ dialect: new PostgresDialect({ pool }) });
  const location = url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
  return {
    engine: 'postgres',
    location,
    url,
    db,
    events: new EventEmitter(),
    close: () => db.destroy(),
  };
}
