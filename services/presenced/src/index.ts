import { hostname as systemHostname } from 'node:os';
import {
  createHttpApp,
  type HealthReport,
  type Listening,
  type Logger,
  listen,
  type Registry,
} from '@lanctl/core';
import type { PresencedConfig } from './config.ts';
import { createHeartbeat, type HeartbeatStatus } from './heartbeat.ts';
import { createPresencedMetrics } from './metrics.ts';
import { getentLookup, type PasswdLookup } from './passwd.ts';
import { presenceFor, utmpSource, workstationHostname } from './workstation.ts';

export {
  DEFAULT_PRESENCED_PORT,
  type PresencedConfig,
  presencedConfigSchema,
} from './config.ts';
export type { HeartbeatState, HeartbeatStatus } from './heartbeat.ts';
export { getentLookup, type PasswdEntry, type PasswdLookup, parsePasswdLine } from './passwd.ts';
export { decideHeartbeat, decidePam, type PamDecision, type PamEnv } from './policy.ts';
export {
  decodeUtmp,
  encodeUtmp,
  loggedInUsers,
  UTMP_RECORD_SIZE,
  type UtmpRecord,
  UtmpType,
} from './utmp.ts';
export { workstationHostname } from './workstation.ts';

export interface PresencedDeps {
  logger: Logger;
  metrics: Registry;
  /** The `presence:write` token, read at every round (main: `token_file`). */
  token: () => string;
  /** Default: `getent passwd`. */
  passwd?: PasswdLookup;
  /** Default: os.hostname() (used when the config has no `hostname`). */
  systemHostname?: () => string;
  /** ms since the epoch. */
  now?: () => number;
}

export interface PresencedService {
  start(): Promise<Listening>;
  stop(): Promise<void>;
  health(): HealthReport;
  status(): HeartbeatStatus;
}

/**
 * The workstation's heartbeat daemon (SADM's presenced heartbeat.py): while exactly one managed
 * user is logged in, tells presence every `interval_seconds`. Binds nothing until `start()`.
 */
export function create(config: PresencedConfig, deps: PresencedDeps): PresencedService {
  if (!deps.logger || !deps.metrics)
    throw new Error('presenced: deps.logger and deps.metrics are required');
  if (typeof deps.token !== 'function') throw new Error('presenced: deps.token must be a function');
  const hostname = workstationHostname(config.hostname, (deps.systemHostname ?? systemHostname)());
  const presence = presenceFor(config, deps.token);
  const heartbeat = createHeartbeat({
    loggedIn: utmpSource(config),
    passwd: deps.passwd ?? getentLookup(config.request_timeout_seconds * 1000),
    send: (login, host) => presence().heartbeat(login, host),
    hostname,
    range: config.managed_uids,
    intervalMs: config.interval_seconds * 1000,
    retryMs: config.retry_seconds * 1000,
    logger: deps.logger,
    metrics: createPresencedMetrics(deps.metrics),
    now: deps.now ?? Date.now,
  });
  const health = (): HealthReport => healthOf(heartbeat.status(), hostname, config.presence_url);
  const app = createHttpApp({
    service: 'presenced',
    logger: deps.logger,
    metrics: deps.metrics,
    health,
    mount: () => {},
  });
  let http: Listening | null = null;
  return {
    health,
    status: () => heartbeat.status(),
    async start() {
      http = await listen(app, config.listen.host, config.listen.port);
      heartbeat.start();
      deps.logger.info('presenced running', {
        url: http.url,
        hostname,
        presence_url: config.presence_url,
        interval_seconds: config.interval_seconds,
      });
      return http;
    },
    async stop() {
      await heartbeat.stop();
      await http?.close();
      http = null;
    },
  };
}

/** Degraded while the last rounds failed (presence unreachable, token refused, utmp unreadable). */
function healthOf(status: HeartbeatStatus, hostname: string, presenceUrl: string): HealthReport {
  const failing = status.consecutiveFailures > 0;
  return {
    ok: !failing,
    degraded: failing,
    hostname,
    presence_url: presenceUrl,
    state: status.state,
    failed_rounds: status.consecutiveFailures,
    managed_users: status.managedUsers,
    last_success_at:
      status.lastSuccessAt === null ? null : new Date(status.lastSuccessAt).toISOString(),
  };
}
