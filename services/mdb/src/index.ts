import type { KeyObject } from 'node:crypto';
import { readSecretFile } from '@lanctl/auth';
import {
  createHttpApp,
  type HealthReport,
  type Listening,
  type Logger,
  type Registry,
} from '@lanctl/core';
import { type Database, openDatabase, sql } from '@lanctl/db';
import { createOwnerSync, type Hub, ownerLifecycle } from '@lanctl/sync';
import type { Express } from 'express';
import type { MdbConfig } from './config.ts';
import { registerMdbMetrics, registrationCounter } from './metrics.ts';
import { mdbPollRouter } from './poll.ts';
import { apiRouter } from './routes/index.ts';
import { mdbSadmRouter } from './sadm.ts';
import { MDB_MIGRATIONS, type MdbTables } from './schema.ts';
import { createStore, type MdbStore } from './store/index.ts';
import { streamTables } from './streams.ts';

export {
  DEFAULT_MDB_PORT,
  DEFAULT_MDB_SYNC_PORT,
  type MdbConfig,
  mdbConfigSchema,
} from './config.ts';
export { PUBLIC_ROUTES } from './routes/index.ts';
export { MDB_DIGEST_TABLES, MDB_MIGRATIONS, type MdbTables } from './schema.ts';

export interface MdbDeps {
  logger: Logger;
  metrics: Registry;
  /** Verifies bearer tokens; loaded by main from `auth.public_key_file`. */
  publicKey: KeyObject;
  now?: () => Date;
}

export interface MdbService {
  /** The whole HTTP app (API, /healthz, /metrics), for `lanctl start` to mount or proxy to. */
  app: Express;
  start(): Promise<Listening>;
  stop(): Promise<void>;
  /** For tests and the all-in-one start: the open database and stores. */
  database: Database<MdbTables>;
  store: MdbStore;
  /** The change streams' hub (machines, switches). */
  hub: Hub;
  /** The sync port's URL once started. */
  readonly syncUrl: string | undefined;
}

/**
 * Builds mdb without binding anything; `start()` opens and migrates the database and listens.
 * The database is opened here so a bad URL fails at construction.
 */
export function create(config: MdbConfig, deps: MdbDeps): MdbService {
  if (!deps.publicKey) throw new Error('mdb: deps.publicKey is required');
  const now = deps.now ?? (() => new Date());
  const database = openDatabase(config.database.url, {
    poolSize: config.database.pool_size,
  }) as Database<MdbTables>;
  const store = createStore(database, now, {
    onRegistration: registrationCounter(deps.metrics),
  });
  registerMdbMetrics(deps.metrics, store, database);
  let ready = false;
  const health = async (): Promise<HealthReport> => {
    try {
      await sql`SELECT 1`.execute(database.db);
      return { ok: ready, database: database.engine, migrated: ready };
    } catch (e) {
      return { ok: false, database: database.engine, error: (e as Error).message };
    }
  };
  const sync = createOwnerSync({
    database,
    tables: streamTables(),
    service: 'mdb',
    logger: deps.logger,
    metrics: deps.metrics,
    pollMs: config.sync.poll_ms,
    keepRevisions: config.sync.keep_revisions,
    maxBufferBytes: config.sync.max_buffer_bytes,
  });
  // SADM's mdbsync /poll and /update, on the same hub as the native streams.
  const poll = mdbPollRouter(store, {
    hub: sync.hub,
    subSecret: secretOrNull(config.sadm.sub_secret_file),
    pubSecret: secretOrNull(config.sadm.pub_secret_file),
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimit: config.body_limit_bytes,
  });
  const app = createHttpApp({
    service: 'mdb',
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimit: config.body_limit_bytes,
    health,
    mount: (a) =>
      a.use('/api/v1', apiRouter(store, deps.publicKey, config.auth.public_read, sync.router)),
    beforeBody: (a) =>
      a.use(
        mdbSadmRouter(store, {
          publicKey: deps.publicKey,
          publicRead: config.sadm.public_read,
          metrics: deps.metrics,
          logger: deps.logger,
          bodyLimit: config.body_limit_bytes,
        }),
        poll.router,
      ),
  });
  const lifecycle = ownerLifecycle({
    app,
    database,
    migrations: MDB_MIGRATIONS,
    sync,
    poll,
    listen: config.listen,
    syncPort: config.sync.port,
    logger: deps.logger,
    onReady: () => {
      ready = true;
    },
  });
  return {
    app,
    database,
    store,
    hub: sync.hub,
    get syncUrl() {
      return lifecycle.syncUrl;
    },
    start: () => lifecycle.start(),
    stop: () => lifecycle.stop(),
  };
}

const secretOrNull = (path: string | null) => (path ? readSecretFile(path) : null);
