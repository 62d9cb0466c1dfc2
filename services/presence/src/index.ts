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
import { createActions } from './actions.ts';
import type { PresenceConfig } from './config.ts';
import { type FollowedDirectory, followDirectory } from './directory.ts';
import { presenceRouter } from './http.ts';
import { createPresenceMetrics } from './metrics.ts';
import { PresenceTable } from './state.ts';
import { createPresenceStreams } from './streams.ts';

export { PRESENCE_WRITE_SCOPE } from '@lanctl/auth';
export type { PresenceRecord } from '@lanctl/model';
export { DEFAULT_PRESENCE_PORT, type PresenceConfig, presenceConfigSchema } from './config.ts';
export { type Change, type Directory, decide, PresenceTable, type Refusal } from './state.ts';

export interface PresenceDeps {
  logger: Logger;
  metrics: Registry;
  /** Bearer token for mdb's or udb's stream, read at every connection (main: `token_file`). */
  token: (upstream: 'mdb' | 'udb') => string;
  publicKey: KeyObject;
  /** ms since the epoch (tests move it). */
  now?: () => number;
}

export interface PresenceService {
  start(): Promise<Listening>;
  stop(): Promise<void>;
  health(): HealthReport;
  /** Resolves once both the machines and users tables are loaded. */
  ready(): Promise<void>;
}

/**
 * Presence: who is logged in on which machine, in memory only, rebuilt from heartbeats after a
 * restart (logins are refused as "too early" for one timeout meanwhile). Binds nothing until
 * `start()`.
 */
export function create(config: PresenceConfig, deps: PresenceDeps): PresenceService {
  if (!deps.logger || !deps.metrics)
    throw new Error('presence: deps.logger and deps.metrics are required');
  if (typeof deps.token !== 'function') throw new Error('presence: deps.token must be a function');
  if (!deps.publicKey) throw new Error('presence: deps.publicKey is required');
  const now = deps.now ?? Date.now;
  const timeoutMs = config.timeout_seconds * 1000;
  const table = new PresenceTable(timeoutMs);
  const directory = followDirectory({
    mdbUpstream: config.mdb_upstream,
    udbUpstream: config.udb_upstream,
    stateDir: config.state_dir,
    token: deps.token,
    logger: deps.logger,
  });
  const streams = createPresenceStreams({
    logger: deps.logger,
    metrics: deps.metrics,
    subSecretFile: config.sadm.sub_secret_file,
  });
  let startedAt = now();
  const actions = createActions({
    table,
    directory,
    now,
    tooEarly: () => now() - startedAt < timeoutMs,
    tablesLoaded: () => directory.tables.allReceived(),
    publish: streams.publish,
    metrics: createPresenceMetrics(deps.metrics, () => table.size),
    logger: deps.logger,
  });
  const health = () => healthOf(directory, table.size, Math.max(0, startedAt + timeoutMs - now()));
  const app = createHttpApp({
    service: 'presence',
    logger: deps.logger,
    metrics: deps.metrics,
    health,
    mount: (a) => a.use('/api/v1', presenceRouter(actions, deps.publicKey, streams.streams.router)),
    beforeBody: (a) => a.use(streams.poll.router),
  });
  let http: Listening | null = null;
  let timer: NodeJS.Timeout | null = null;
  return {
    health,
    ready: () => directory.ready(),
    async start() {
      mkdirSync(config.state_dir, { recursive: true, mode: 0o700 });
      startedAt = now();
      streams.reset();
      directory.start();
      http = await listen(app, config.listen.host, config.listen.port);
      // The expiry runs in-process (SADM POSTed /remove_expired to itself).
      timer = setInterval(actions.purge, timeoutMs / 2);
      timer.unref();
      deps.logger.info('presence listening', {
        url: http.url,
        timeout_seconds: config.timeout_seconds,
      });
      return http;
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      streams.closeAll();
      await http?.close();
      http = null;
      await directory.stop();
    },
  };
}

/** Degraded while mdb's or udb's stream is down (decisions then use the last tables). */
function healthOf(
  { tables }: FollowedDirectory,
  sessions: number,
  tooEarlyMs: number,
): HealthReport {
  const up = tables.allConnected();
  return {
    ok: up,
    degraded: !up,
    upstream: tables.status(),
    loaded: { machines: tables.received('machines'), users: tables.received('users') },
    sessions,
    too_early: tooEarlyMs > 0,
    too_early_remaining_seconds: Math.ceil(tooEarlyMs / 1000),
  };
}
