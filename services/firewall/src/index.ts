import type { KeyObject } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import {
  createHttpApp,
  type HealthReport,
  type Listening,
  type Logger,
  listen,
  type Registry,
} from '@lanctl/core';
import { createApplier } from './applier.ts';
import { type Backend, createBackend } from './backend.ts';
import type { FirewallConfig, Upstream } from './config.ts';
import { type FirewallView, firewallRouter } from './http.ts';
import { createFirewallMetrics } from './metrics.ts';
import { createSkipLog } from './skips.ts';
import { followSources } from './sources.ts';
import { healthOf, viewOf, wantedSet } from './status.ts';

export { type AllowedInput, allowedAddresses, contestModeOf } from './allowed.ts';
export type { Backend } from './backend.ts';
export { DEFAULT_FIREWALL_PORT, type FirewallConfig, firewallConfigSchema } from './config.ts';
export { bitmapRange, ipsetScreen, keepAll, type Screened, type Skipped } from './screen.ts';
export { renderIpsetRestore, renderNftScript } from './scripts.ts';

export interface FirewallDeps {
  logger: Logger;
  metrics: Registry;
  /** Bearer token for an upstream's stream, read at every connection (main: its `token_file`). */
  token: (upstream: Upstream) => string;
  publicKey: KeyObject;
  /** The set's home; the config's `backend` when omitted (tests inject a failing one). */
  backend?: Backend;
  /** Reconnection back-off of the streams (tests shorten it). */
  backoff?: { initialMs?: number; maxMs?: number };
}

export interface FirewallService {
  start(): Promise<Listening>;
  stop(): Promise<void>;
  health(): HealthReport;
  view(): FirewallView;
}

/**
 * The internet firewall (SADM's presencesync_firewall): follows machines, settings, users and
 * presence, and keeps the backend's set equal to `allowedAddresses(...)`. Applies nothing until
 * every table was received once; keeps the last set when upstream goes away. Binds nothing until
 * `start()`.
 */
export function create(config: FirewallConfig, deps: FirewallDeps): FirewallService {
  if (!deps?.logger || !deps.metrics)
    throw new Error('firewall: deps.logger and deps.metrics are required');
  if (typeof deps.token !== 'function') throw new Error('firewall: deps.token must be a function');
  if (!deps.publicKey) throw new Error('firewall: deps.publicKey is required');
  const { logger } = deps;
  const backend = deps.backend ?? createBackend(config);
  const metrics = createFirewallMetrics(deps.metrics, () => sources.waitingFor());
  const reportSkipped = createSkipLog({ logger, metrics, target: backend.target });
  const applier = createApplier({
    backend,
    logger,
    metrics,
    reassertMs: config.reassert_seconds * 1000,
    retryMs: config.retry_seconds * 1000,
  });
  const { mdb, udb, presence } = config.upstreams;
  const sources = followSources({
    urls: { mdb: mdb.url, udb: udb.url, presence: presence.url },
    token: deps.token,
    stateDir: config.state_dir,
    logger,
    backoff: deps.backoff,
    onChange: () => {
      if (sources.waitingFor().length > 0) return;
      const { kept, skipped } = backend.screen([...wantedSet(sources, config).allowed.keys()]);
      reportSkipped(skipped);
      applier.want(kept);
    },
  });
  const view = () => viewOf(sources, applier, backend, config);
  const health = () => healthOf(sources, applier);
  const app = createHttpApp({
    service: 'firewall',
    logger,
    metrics: deps.metrics,
    health,
    mount: (a) => a.use('/api/v1', firewallRouter(view, deps.publicKey)),
  });
  let http: Listening | null = null;
  return {
    health,
    view,
    async start() {
      mkdirSync(config.state_dir, { recursive: true, mode: 0o700 });
      logger.info('waiting for every table before touching the set', {
        waiting_for: sources.waitingFor(),
        backend: backend.name,
        set: backend.target,
      });
      applier.start();
      sources.start();
      http = await listen(app, config.listen.host, config.listen.port);
      logger.info('firewall listening', { url: http.url });
      return http;
    },
    async stop() {
      await http?.close();
      http = null;
      await sources.stop();
      await applier.stop();
    },
  };
}
