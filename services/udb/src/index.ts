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
import type { UdbConfig } from './config.ts';
import { ensureInitialAdmin } from './initial-admin.ts';
import { LoginLimiter } from './limiter.ts';
import { createPasswords } from './passwords.ts';
import { udbPollRouter } from './poll.ts';
import { reservedLogins } from './reserved.ts';
import { apiRouter } from './routes/index.ts';
import { udbSadmRouter } from './sadm.ts';
import { UDB_MIGRATIONS, type UdbTables } from './schema.ts';
import { UserStore } from './store/users.ts';
import { streamTables } from './streams.ts';

export {
  DEFAULT_UDB_PORT,
  DEFAULT_UDB_SYNC_PORT,
  type UdbConfig,
  udbConfigSchema,
} from './config.ts';
export { PUBLIC_ROUTES } from './routes/index.ts';
export { UDB_DIGEST_TABLES, UDB_MIGRATIONS, type UdbTables } from './schema.ts';

export interface UdbDeps {
  logger: Logger;
  metrics: Registry;
  publicKey: KeyObject;
  /** Signs people's session tokens at login. */
  privateKey: KeyObject;
  now?: () => Date;
}

export interface UdbService {
  app: Express;
  start(): Promise<Listening>;
  stop(): Promise<void>;
  database: Database<UdbTables>;
  users: UserStore;
  hub: Hub;
  readonly syncUrl: string | undefined;
}

/** Builds udb without binding anything; `start()` migrates, seeds the first admin and listens. */
export function create(config: UdbConfig, deps: UdbDeps): UdbService {
  if (!deps.publicKey || !deps.privateKey)
    throw new Error('udb: deps.publicKey and deps.privateKey are required');
  const now = deps.now ?? (() => new Date());
  const database = openDatabase(config.database.url, {
    poolSize: config.database.pool_size,
  }) as Database<UdbTables>;
  const users = new UserStore(database, config.uid_pools, now);
  const passwords = createPasswords(config.passwords);
  const limiter = new LoginLimiter(
    config.login_rate_limit.per_address,
    config.login_rate_limit.per_login,
  );
  const reserved = reservedLogins(config.system_passwd_file);
  let ready = false;
  const health = async (): Promise<HealthReport> => {
    await sql`SELECT 1`.execute(database.db);
    return { ok: ready, database: database.engine, migrated: ready };
  };
  const sharedSecret = secretOrNull(config.sadm.shared_secret_file);
  const sync = createOwnerSync({
    database,
    tables: streamTables(),
    service: 'udb',
    logger: deps.logger,
    metrics: deps.metrics,
    pollMs: config.sync.poll_ms,
    keepRevisions: config.sync.keep_revisions,
  });
  // SADM's udbsync /poll and /update, on the same hub as the native streams.
  const poll = udbPollRouter(users, {
    hub: sync.hub,
    subSecret: secretOrNull(config.sadm.sub_secret_file),
    pubSecret: secretOrNull(config.sadm.pub_secret_file),
    passwords,
    reserved,
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimit: config.body_limit_bytes,
  });
  const app = createHttpApp({
    service: 'udb',
    beforeBody: (a) =>
      a.use(
        udbSadmRouter(users, {
          sharedSecret,
          metrics: deps.metrics,
          logger: deps.logger,
          bodyLimit: config.body_limit_bytes,
        }),
        poll.router,
      ),
    logger: deps.logger,
    metrics: deps.metrics,
    bodyLimit: config.body_limit_bytes,
    health,
    mount: (a) =>
      a.use(
        '/api/v1',
        apiRouter({
          users,
          passwords,
          limiter,
          reserved,
          publicKey: deps.publicKey,
          streams: sync.router,
          session: {
            privateKey: deps.privateKey,
            publicKey: deps.publicKey,
            ttlSeconds: config.auth.session_ttl_seconds,
            cookieSecure: config.auth.cookie_secure,
          },
        }),
      ),
  });
  const lifecycle = ownerLifecycle({
    app,
    database,
    migrations: UDB_MIGRATIONS,
    sync,
    poll,
    listen: config.listen,
    syncPort: config.sync.port,
    logger: deps.logger,
    prepare: async () => {
      await ensureInitialAdmin(users, passwords, config.initial_admin_password_file, deps.logger);
    },
    onReady: () => {
      ready = true;
    },
  });
  return {
    app,
    database,
    users,
    hub: sync.hub,
    get syncUrl() {
      return lifecycle.syncUrl;
    },
    start: () => lifecycle.start(),
    stop: () => lifecycle.stop(),
  };
}

const secretOrNull = (path: string | null) => (path ? readSecretFile(path) : null);
