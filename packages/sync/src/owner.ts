import type { RequestListener } from 'node:http';
import { type Listening, type Logger, listen } from '@lanctl/core';
import { type AppMigration, type Database, migrate } from '@lanctl/db';
import type { Router } from 'express';
import type { Registry } from 'prom-client';
import { LogFollower, type StreamTable } from './follower.ts';
import { Hub } from './hub.ts';
import { compactChangeLog } from './log.ts';
import { createStreamServer, type StreamAccess } from './server.ts';

export interface OwnerSyncOptions {
  database: Database;
  tables: (StreamTable & StreamAccess)[];
  service: string;
  logger: Logger;
  metrics: Registry;
  pollMs?: number;
  /** Change-log entries kept by compaction; older resumes get a reset snapshot. */
  keepRevisions?: number;
  compactEveryMs?: number;
  maxBufferBytes?: number;
  keepAliveMs?: number;
}

export interface OwnerSync {
  hub: Hub;
  /** `/sync/:table`, to mount under /api/v1 after authentication. */
  router: Router;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Everything an owning service (mdb, udb) needs to stream its tables from its change log. */
export function createOwnerSync(options: OwnerSyncOptions): OwnerSync {
  const names = options.tables.map((t) => t.name);
  let follower: LogFollower | undefined;
  const hub = new Hub({
    tables: names,
    logger: options.logger,
    backfill: {
      changes: (after, upTo) => follower!.backfill.changes(after, upTo),
      catchUp: (revision) => follower!.catchUp(revision),
    },
  });
  follower = new LogFollower({
    database: options.database,
    tables: options.tables,
    hub,
    logger: options.logger,
    pollMs: options.pollMs,
  });
  const server = createStreamServer({
    hub,
    access: Object.fromEntries(options.tables.map((t) => [t.name, t])),
    logger: options.logger,
    metrics: options.metrics,
    service: options.service,
    maxBufferBytes: options.maxBufferBytes,
    keepAliveMs: options.keepAliveMs,
  });
  let compactor: NodeJS.Timeout | undefined;
  const compact = async () => {
    try {
      const dropped = await compactChangeLog(
        options.database.db,
        options.keepRevisions ?? 1_000_000,
      );
      if (dropped > 0) options.logger.info('change log compacted', { dropped });
    } catch (e) {
      options.logger.error('change log compaction failed', { error: String(e) });
    }
  };
  return {
    hub,
    router: server.router,
    async start() {
      await follower!.start();
      compactor = setInterval(() => void compact(), options.compactEveryMs ?? 10 * 60_000);
      compactor.unref();
    },
    async stop() {
      clearInterval(compactor);
      server.closeAll();
      await follower!.stop();
    },
  };
}

export interface OwnerLifecycleOptions {
  /** The service's app: served on both its API port and its sync port. */
  app: RequestListener;
  database: Database;
  migrations: Record<string, AppMigration>;
  sync: Pick<OwnerSync, 'start' | 'stop'>;
  /** SADM's long polls, closed first on stop. */
  poll: { closeAll(): void };
  listen: { host: string; port: number };
  syncPort: number;
  logger: Logger;
  /** After migrations, before streams start (udb: the initial admin). */
  prepare?: () => Promise<void>;
  /** Called once the database is ready, before the ports open (/healthz turns ready). */
  onReady: () => void;
}

/**
 * The start and stop of an owning service (mdb, udb): migrate, prepare, start the streams, then
 * listen on the API port and the sync port; stop in the reverse order, the database last.
 */
export function ownerLifecycle(o: OwnerLifecycleOptions): {
  start(): Promise<Listening>;
  stop(): Promise<void>;
  readonly syncUrl: string | undefined;
} {
  let listening: Listening | undefined;
  let syncListening: Listening | undefined;
  return {
    get syncUrl() {
      return syncListening?.url;
    },
    async start() {
      await migrate(o.database, o.migrations);
      await o.prepare?.();
      await o.sync.start();
      o.onReady();
      listening = await listen(o.app, o.listen.host, o.listen.port);
      syncListening = await listen(o.app, o.listen.host, o.syncPort);
      o.logger.info('listening', {
        url: listening.url,
        sync_url: syncListening.url,
        database: o.database.location,
      });
      return listening;
    },
    async stop() {
      o.poll.closeAll();
      await o.sync.stop();
      await syncListening?.close();
      await listening?.close();
      await o.database.close();
    },
  };
}
