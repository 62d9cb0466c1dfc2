import type { KeyObject } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { authenticate, principalOf } from '@lanctl/auth';
import {
  AppError,
  Counter,
  createHttpApp,
  Gauge,
  type HealthReport,
  type Listening,
  type Logger,
  listen,
  type Registry,
  unauthorized,
} from '@lanctl/core';
import {
  createStreamServer,
  type StreamAccess,
  type StreamSource,
  type SyncClientOptions,
  streamAccess,
} from '@lanctl/sync';
import { type Express, Router } from 'express';
import type { RelayConfig } from './config.ts';
import { RelayedTable, type TableStatus } from './upstream.ts';

export {
  DEFAULT_RELAY_PORT,
  RELAYABLE_TABLES,
  type RelayConfig,
  relayConfigSchema,
} from './config.ts';
export type { TableStatus } from './upstream.ts';

/** Routes anyone may call (everything under /api/v1 needs a token). */
export const PUBLIC_ROUTES = ['GET /healthz', 'GET /metrics'];

export interface RelayDeps {
  logger: Logger;
  metrics: Registry;
  /** Verifies subscribers' bearer tokens; main loads it from `auth.public_key_file`. */
  publicKey: KeyObject;
  /** The upstream bearer token, called at every connection (main reads `token_file`). */
  token: () => string;
  /** Upstream reconnection back-off and silence timeout (tests shorten them). */
  backoff?: SyncClientOptions<unknown>['backoff'];
  idleTimeoutMs?: number;
}

export interface RelayStatus extends HealthReport {
  upstream: string;
  tables: Record<string, TableStatus>;
}

export interface RelayService {
  /** `GET /api/v1/sync/:table`, /healthz and /metrics. */
  app: Express;
  start(): Promise<Listening>;
  stop(): Promise<void>;
  status(): RelayStatus;
}

/**
 * The sync relay (`lanctl serve relay`, alias `lanctl serve sync --upstream URL`): subscribes to
 * an owner's (or another relay's) streams and serves them again, with the owner's access rules,
 * to many subscribers. It keeps serving what it has while the upstream is away, resumes it from
 * its last revision, and keeps each table's last state in `state_dir`. Binds nothing until start().
 */
export function create(config: RelayConfig, deps: RelayDeps): RelayService {
  checkDeps(deps);
  const access = accessRules(config.tables);
  const tables = new Map(
    config.tables.map((table) => [
      table,
      new RelayedTable({
        table,
        upstream: config.upstream,
        token: deps.token,
        stateFile: join(config.state_dir, `${table}.json`),
        ringSize: config.ring_size,
        logger: deps.logger,
        backoff: deps.backoff,
        idleTimeoutMs: deps.idleTimeoutMs,
      }),
    ]),
  );
  registerMetrics(deps.metrics, tables);
  const source: StreamSource = {
    hasTable: (table) => tables.has(table),
    subscribe: (table, since, subscriber) =>
      tables.get(table)!.hub.subscribe(table, since, subscriber),
    subscriberCount: () => sum([...tables.values()].map((t) => t.hub.subscriberCount())),
  };
  const streams = createStreamServer({
    hub: source,
    access,
    logger: deps.logger,
    metrics: deps.metrics,
    service: 'relay',
  });
  const status = (): RelayStatus => {
    const byTable = Object.fromEntries([...tables].map(([name, t]) => [name, t.status()]));
    const ok = Object.values(byTable).every((t) => t.ready);
    return { ok, upstream: config.upstream, tables: byTable };
  };
  const app = createHttpApp({
    service: 'relay',
    logger: deps.logger,
    metrics: deps.metrics,
    health: status,
    mount: (a) => a.use('/api/v1', apiRouter(deps.publicKey, tables, streams.router)),
  });
  let listening: Listening | undefined;
  return {
    app,
    status,
    async start() {
      mkdirSync(config.state_dir, { recursive: true, mode: 0o700 });
      // A state file is loaded synchronously here: the relay serves it from its first request.
      for (const t of tables.values()) t.client.start();
      listening = await listen(app, config.listen.host, config.listen.port);
      deps.logger.info('listening', { url: listening.url, upstream: config.upstream });
      return listening;
    },
    async stop() {
      // Upstream first: the state saved is then the last one subscribers were sent.
      await Promise.all([...tables.values()].map((t) => t.client.stop()));
      streams.closeAll();
      await listening?.close();
    },
  };
}

function checkDeps(deps: RelayDeps): void {
  if (!deps?.logger || !deps.metrics)
    throw new Error('relay: deps.logger and deps.metrics are required');
  if (!deps.publicKey) throw new Error('relay: deps.publicKey is required');
  if (typeof deps.token !== 'function') throw new Error('relay: deps.token must be a function');
}

/** The owners' own rules (STREAM_ACCESS), so the relay shows nobody more than the owner would. */
function accessRules(names: readonly string[]): Record<string, StreamAccess> {
  return Object.fromEntries(
    names.map((table) => {
      const rule = streamAccess(table);
      if (!rule) throw new Error(`relay: tables: no stream "${table}" is known`);
      return [table, rule];
    }),
  );
}

/** Authentication first; a table with no state yet answers 503 (its subscribers retry). */
function apiRouter(
  publicKey: KeyObject,
  tables: Map<string, RelayedTable>,
  streams: Router,
): Router {
  const api = Router();
  api.use(authenticate(publicKey));
  api.get('/sync/:table', (req, res, next) => {
    if (!principalOf(res)) throw unauthorized();
    const table = tables.get(req.params.table as string);
    if (table && !table.hub.ready) {
      res.setHeader('retry-after', '2');
      throw new AppError(
        503,
        'unavailable',
        `no state for ${table.table} yet: upstream not reached`,
      );
    }
    next();
  });
  api.use(streams);
  return api;
}

function registerMetrics(metrics: Registry, tables: Map<string, RelayedTable>): void {
  const each = (set: (table: string, s: TableStatus) => void) => {
    for (const [name, t] of tables) set(name, t.status());
  };
  new Gauge({
    name: 'lanctl_relay_upstream_connected',
    help: 'Whether the upstream stream of a table is open (1) or not (0)',
    labelNames: ['table'],
    registers: [metrics],
    collect() {
      each((table, s) => this.set({ table }, s.connected ? 1 : 0));
    },
  });
  new Gauge({
    name: 'lanctl_relay_revision',
    help: 'Revision of the state a table is served at',
    labelNames: ['table'],
    registers: [metrics],
    collect() {
      each((table, s) => this.set({ table }, s.revision));
    },
  });
  new Counter({
    name: 'lanctl_relay_resets_total',
    help: 'Upstream snapshots that replaced a served state (subscribers got a reset snapshot)',
    labelNames: ['table'],
    registers: [metrics],
    collect() {
      this.reset();
      each((table, s) => this.inc({ table }, s.resets));
    },
  });
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
