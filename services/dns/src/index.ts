import { join } from 'node:path';
import {
  createHttpApp,
  type HealthReport,
  type Listening,
  type Logger,
  listen,
  type Registry,
} from '@lanctl/core';
import { type Machine, type Pool, parseCidr } from '@lanctl/model';
import { createSyncClient, type SyncClient, type SyncClientOptions } from '@lanctl/sync';
import { createDnsWorker, startWorkers, type Tables } from './cluster.ts';

export { WORKER_ENV } from './cluster.ts';

import type { ZoneIndex } from './authority.ts';
import type { DnsConfig } from './config.ts';
import { forwarderFor } from './forwarder.ts';
import { createDnsMetrics, type DnsMetrics } from './metrics.ts';
import { createResponder, type Responder } from './responder.ts';
import { listenDns } from './server.ts';
import { createZoneState, type ZoneState } from './zone-state.ts';

export { DEFAULT_DNS_HTTP_PORT, type DnsConfig, dnsConfigSchema } from './config.ts';

/** Waits until every client has a state (state file or first snapshot), at most `ms`. */
async function firstState(clients: SyncClient<unknown>[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  const ready = Promise.all(clients.map((c) => c.ready())).then(
    () => undefined,
    () => undefined,
  );
  await Promise.race([ready, timeout]);
  clearTimeout(timer);
}

export interface DnsDeps {
  logger: Logger;
  metrics: Registry;
  /** The bearer token for mdb's streams, called at every connection (main reads `token_file`). */
  token: () => string;
  now?: () => Date;
  backoff?: SyncClientOptions<Machine>['backoff'];
  /** This process is a cluster worker forked by a primary with `workers` > 1 (main decides). */
  clusterWorker?: boolean;
  /**
   * The process may fork workers (`workers` > 1): only `lanctl serve dns`, whose command line a
   * fork re-runs; an all-in-one process (`lanctl start`) must leave it unset.
   */
  canFork?: boolean;
}

export interface DnsStarted {
  /** UDP and TCP port of the DNS listener. */
  port: number;
  /** The HTTP port (not in a cluster worker). */
  http?: Listening;
}

export interface DnsService {
  start(): Promise<DnsStarted>;
  stop(): Promise<void>;
  health(): HealthReport;
}

/** The `machines` and `pools` streams, each kept in its state file, feeding the zones. */
function streams(config: DnsConfig, deps: DnsDeps, zones: ZoneState) {
  const stream = <R>(table: string, onRecords: (list: R[]) => void) =>
    createSyncClient<R>({
      baseUrl: config.upstream,
      table,
      token: deps.token,
      stateFile: join(config.state_dir, `${table}.json`),
      logger: deps.logger,
      backoff: deps.backoff,
      onUpdate: (state) => onRecords([...state.values()]),
    });
  return {
    machines: stream<Machine>('machines', zones.setMachines),
    pools: stream<Pool>('pools', zones.setPools),
  };
}

/** 200 while both streams are connected; else 503, `degraded` (serving the last good tables) or `starting`. */
function healthOf(
  machines: SyncClient<Machine>,
  pools: SyncClient<Pool>,
  zones: ZoneState,
): HealthReport {
  const connected = machines.connected && pools.connected;
  const serving = machines.revision > 0 || pools.revision > 0;
  return {
    ok: connected,
    status: connected ? 'ok' : serving ? 'degraded' : 'starting',
    upstream_connected: connected,
    revisions: { machines: machines.revision, pools: pools.revision },
    records: zones.index().records,
    serials: Object.fromEntries(Object.entries(zones.serials()).map(([id, s]) => [id, s.serial])),
  };
}

/**
 * The native DNS server (SADM's mdbdns + BIND): authoritative for the LAN's zone and reverse
 * zones from mdb's `machines` and `pools` streams, alien view, forwarding. Binds nothing until
 * `start()`.
 */
function responderFor(
  config: DnsConfig,
  index: () => ZoneIndex,
  metrics: DnsMetrics,
  logger: Logger,
) {
  return createResponder({
    index,
    allow: config.plan.allow.map((c) => parseCidr(c)).filter((c) => c !== null),
    forwarder: forwarderFor(config),
    metrics,
    logger,
    udpSize: config.edns_udp_size,
  });
}

/** Fail fast, naming what is wrong (STYLE rule 8). */
function validate(config: DnsConfig, deps: DnsDeps): void {
  if (!deps.logger || !deps.metrics)
    throw new Error('dns: deps.logger and deps.metrics are required');
  if (typeof deps.token !== 'function') throw new Error('dns: deps.token must be a function');
  if (config.workers > 1 && !deps.canFork && !deps.clusterWorker) {
    throw new Error('dns: workers: > 1 only under `lanctl serve dns` (deps.canFork)');
  }
}

type Answering = { port: number; close(): Promise<void> };

/** The DNS sockets: in this process, or `config.workers` cluster workers fed with the tables. */
async function answer(
  config: DnsConfig,
  parts: {
    responder: Responder;
    metrics: DnsMetrics;
    logger: Logger;
    tables: () => Tables | undefined;
  },
): Promise<Answering & { send?: (t: Tables) => void }> {
  const { host, port } = config.listen;
  if (config.workers > 1) {
    const workers = await startWorkers(config, parts.metrics, parts.logger);
    const current = parts.tables();
    if (current) workers.send(current);
    return { port: workers.port, close: workers.stop, send: workers.send };
  }
  const { idle_timeout_ms: idleTimeoutMs, max_connections: maxConnections } = config.tcp;
  const options = { host, port, idleTimeoutMs, maxConnections };
  const sockets = await listenDns(options, parts.responder, parts.metrics, parts.logger);
  return { port: sockets.port, close: sockets.close };
}

/**
 * The native DNS server (SADM's mdbdns + BIND): authoritative for the LAN's zone and reverse
 * zones from mdb's `machines` and `pools` streams, alien view, forwarding. Binds nothing until
 * `start()`. In a cluster worker (`workers` > 1), only the answering part.
 */
export function create(config: DnsConfig, deps: DnsDeps): DnsService {
  validate(config, deps);
  const { logger } = deps;
  if (deps.clusterWorker)
    return { ...createDnsWorker(config, logger), health: () => ({ ok: true }) };
  let tables: ReturnType<typeof streams> | undefined;
  const connected = () =>
    (tables?.machines.connected ?? false) && (tables?.pools.connected ?? false);
  const metrics = createDnsMetrics(deps.metrics, connected);
  const now = deps.now ?? (() => new Date());
  let last: Tables | undefined;
  let sockets: Awaited<ReturnType<typeof answer>> | undefined;
  const onRebuild = (m: Machine[], p: Pool[], serials: Tables['serials']) => {
    last = { machines: m, pools: p, serials };
    sockets?.send?.(last);
  };
  const zones = createZoneState(config.plan, config.state_dir, { logger, metrics, now, onRebuild });
  tables = streams(config, deps, zones);
  const { machines, pools } = tables;
  const responder = responderFor(config, zones.index, metrics, logger);
  const health = () => healthOf(machines, pools, zones);
  let http: Listening | undefined;
  return {
    health,
    async start() {
      zones.load();
      pools.start();
      machines.start();
      await firstState([machines, pools], config.startup_wait_ms);
      const app = createHttpApp({
        service: 'dns',
        logger,
        metrics: deps.metrics,
        health,
        mount: () => {},
      });
      http = await listen(app, config.http.listen.host, config.http.listen.port);
      sockets = await answer(config, { responder, metrics, logger, tables: () => last });
      const { host } = config.listen;
      logger.info('listening', {
        dns: `${host}:${sockets.port}`,
        http: http.url,
        upstream: config.upstream,
        zone: config.plan.zone,
        workers: config.workers,
      });
      return { port: sockets.port, http };
    },
    async stop() {
      await Promise.all([machines.stop(), pools.stop()]);
      await sockets?.close();
      await http?.close(2000);
    },
  };
}
