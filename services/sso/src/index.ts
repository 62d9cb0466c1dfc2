import { mkdirSync } from 'node:fs';
import {
  createHttpApp,
  type HealthReport,
  type Listening,
  type Logger,
  listen,
  type Registry,
} from '@lanctl/core';
import type { SyncClientOptions } from '@lanctl/sync';
import { answerHandler } from './answer.ts';
import type { SsoConfig } from './config.ts';
import type { IpEntry } from './ip-index.ts';
import { type LiveIndex, liveIndex } from './live-index.ts';
import { type AnswerCounts, createSsoMetrics } from './metrics.ts';
import { followSsoTables, type SsoTables, type TableName, type Upstream } from './tables.ts';
import { createUsermap, type Pinger, type UsermapSource } from './usermap/index.ts';

export { DEFAULT_SSO_PORT, type SsoConfig, ssoConfigSchema } from './config.ts';
export {
  buildIpIndex,
  type IpEntry,
  NO_STORE,
  sessionsByHost,
  unknownStatus,
  workingStatus,
} from './ip-index.ts';
export { classifyRealIp, REAL_IP_HEADER } from './real-ip.ts';
export type { TableName, Upstream } from './tables.ts';
export type { UsermapSource } from './usermap/source.ts';

/** Node's default is 5 s, below nginx's upstream `keepalive_timeout` (60 s): a reused
 *  connection could be closed under nginx's feet. Idle keep-alive connections live longer here. */
const KEEPALIVE_MS = 75_000;

export interface SsoDeps {
  logger: Logger;
  metrics: Registry;
  /** Bearer token for an upstream's streams, read at every connection (main: `token_file`). */
  token: (upstream: Upstream) => string;
  /** Reconnection back-off of the streams (tests shorten it). */
  backoff?: SyncClientOptions<unknown>['backoff'];
  /** The room map's pinger (default: `ping` child processes). */
  pinger?: Pinger;
}

export interface SsoService {
  start(): Promise<Listening>;
  stop(): Promise<void>;
  health(): HealthReport;
  /** Resolves once machines and presence are loaded (received, or from `state_dir`). */
  ready(): Promise<void>;
  /** The entry of an address with a login, undefined otherwise. */
  lookup(ip: string): IpEntry | undefined;
  /** The followed tables, for the room map (services/sso/src/usermap). */
  source: UsermapSource;
}

/**
 * SSO: answers nginx's `auth_request` with the login on the asking machine (SADM's
 * presencesync_sso), from mdb's machines, presence's sessions and the config's overrides.
 * Binds nothing until `start()`.
 */
export function create(config: SsoConfig, deps: SsoDeps): SsoService {
  if (!deps?.logger || !deps.metrics)
    throw new Error('sso: deps.logger and deps.metrics are required');
  if (typeof deps.token !== 'function') throw new Error('sso: deps.token must be a function');
  const { logger } = deps;
  const index = liveIndex(config.overrides, logger);
  const tables: SsoTables = followSsoTables({
    upstreams: {
      mdb: config.mdb_upstream,
      udb: config.udb_upstream,
      presence: config.presence_upstream,
    },
    stateDir: config.state_dir,
    token: deps.token,
    logger,
    backoff: deps.backoff,
    onTable: (table: TableName) => {
      if (table === 'machines' || table === 'presence') index.rebuild(tables);
    },
  });
  index.rebuild(tables);
  const health = () => healthOf(tables, index.current().size);
  const { handler, usermap } = httpSide(config, deps, tables, index, health);
  let http: Listening | null = null;
  return {
    health,
    source: tables,
    lookup: (ip) => index.current().get(ip),
    async ready() {
      await Promise.all([tables.clients.machines.ready(), tables.clients.presence.ready()]);
    },
    async start() {
      mkdirSync(config.state_dir, { recursive: true, mode: 0o700 });
      tables.start();
      usermap.start();
      http = await listen(handler, config.listen.host, config.listen.port);
      http.server.keepAliveTimeout = KEEPALIVE_MS;
      logger.info('sso listening', {
        url: http.url,
        overrides: Object.keys(config.overrides).length,
      });
      return http;
    },
    async stop() {
      await usermap.stop();
      await http?.close();
      http = null;
      await tables.stop();
    },
  };
}

/**
 * The listener: `GET /` answered from the index before express; /healthz, /metrics and the room
 * map (/usermap) by the common express app.
 */
function httpSide(
  config: SsoConfig,
  deps: SsoDeps,
  tables: SsoTables,
  index: LiveIndex,
  health: () => HealthReport,
) {
  const { logger, metrics } = deps;
  const counts: AnswerCounts = { known: 0, unknown: 0, bad: 0 };
  createSsoMetrics(metrics, {
    counts,
    connected: (table) => tables.clients[table].connected,
    indexSize: () => index.current().size,
    rebuilds: index.rebuilds,
  });
  const usermap = createUsermap({
    config: config.usermap,
    source: tables,
    logger,
    metrics,
    pinger: deps.pinger,
  });
  const app = createHttpApp({
    service: 'sso',
    logger,
    metrics,
    health,
    mount: (a) => a.use('/usermap', usermap.router),
  });
  return { handler: answerHandler({ index: index.current, counts, fallback: app }), usermap };
}

/** Degraded while any stream is down: answers then come from the last state of that table. */
function healthOf(tables: SsoTables, entries: number): HealthReport {
  const up = tables.allConnected();
  return {
    ok: up,
    degraded: !up,
    upstream: tables.status(),
    loaded: tables.loaded(),
    logged_in_addresses: entries,
  };
}
