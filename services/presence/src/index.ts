import type { KeyObject } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readSecretFile } from '@lanctl/auth';
import {
  createHttpApp,
  type HealthReport,
  type Listening,
  type Logger,
  listen,
  type Registry,
} from '@lanctl/core';
import type { Group, Machine, User } from '@lanctl/model';
import {
  createStreamServer,
  createSyncClient,
  Hub,
  STREAM_ACCESS,
  type SyncClient,
  sadmPollRouter,
} from '@lanctl/sync';
import type { PresenceConfig } from './config.ts';
import { type PresenceActions, presenceRouter } from './http.ts';
import { createPresenceMetrics } from './metrics.ts';
import { type Change, type Directory, decide, PresenceTable } from './state.ts';

export { DEFAULT_PRESENCE_PORT, type PresenceConfig, presenceConfigSchema } from './config.ts';
export { PRESENCE_WRITE_SCOPE } from './http.ts';
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

/** A presence record on the stream: SADM's `{login, hostname}`. */
export interface PresenceRecord {
  login: string;
  hostname: string;
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
  const { logger } = deps;
  const timeoutMs = config.timeout_seconds * 1000;
  const table = new PresenceTable(timeoutMs);
  const metrics = createPresenceMetrics(deps.metrics, () => table.size);
  const machineTypes = new Map<string, string>();
  const groups = new Map<string, Group>();
  const machines = follow<Machine>(
    config,
    deps,
    'machines',
    'mdb',
    config.mdb_upstream,
    (state) => {
      machineTypes.clear();
      for (const m of state.values()) machineTypes.set(m.hostname, m.mtype);
    },
  );
  const users = follow<User>(config, deps, 'users', 'udb', config.udb_upstream, (state) => {
    groups.clear();
    for (const u of state.values()) groups.set(u.login, u.group);
  });
  const directory: Directory = {
    machineType: (h) => machineTypes.get(h),
    userGroup: (l) => groups.get(l),
  };
  const hub = new Hub({ tables: ['presence'], logger });
  let revision = 0;
  let startedAt = now();
  const publish = (changes: Change[]) => {
    if (changes.length === 0) return;
    // SADM prepends deletes to the update of the same batch.
    const ordered = [
      ...changes.filter((c) => c.op === 'delete'),
      ...changes.filter((c) => c.op !== 'delete'),
    ];
    hub.apply(
      ordered.map((c) => ({
        revision: ++revision,
        table: 'presence',
        id: c.login,
        op: c.op,
        record: { login: c.login, hostname: c.hostname } satisfies PresenceRecord,
      })),
    );
    for (const c of changes)
      logger.info(`presence ${c.op}`, { login: c.login, hostname: c.hostname });
  };
  const purge = () => publish(table.purge(now()));
  const actions: PresenceActions = {
    login(login, hostname) {
      const t0 = process.hrtime.bigint();
      purge();
      const refusal = decide({
        login,
        hostname,
        tooEarly: now() - startedAt < timeoutMs,
        current: table.hostOf(login),
        occupant: table.occupantOf(hostname),
        directory,
      });
      if (refusal) {
        metrics.refused(refusal.reason);
        logger.info('login refused', { login, hostname, reason: refusal.reason });
      } else publish(table.refresh(login, hostname, now()));
      metrics.decision(Number(process.hrtime.bigint() - t0) / 1e9);
      return refusal;
    },
    logout(login, hostname) {
      purge();
      const current = table.hostOf(login);
      if (current === undefined)
        return { reason: 'not_logged_in', message: 'Requested logout but not logged in' };
      if (current !== hostname)
        return { reason: 'wrong_hostname', message: 'Requested logout from the wrong hostname' };
      publish(table.endUser(login));
      return null;
    },
    heartbeat(login, hostname) {
      purge();
      publish(table.refresh(login, hostname, now()));
    },
    list() {
      purge();
      return table.list().map((s) => ({
        login: s.login,
        hostname: s.hostname,
        expires_at: new Date(s.expiresAt).toISOString(),
      }));
    },
    kickUser(login) {
      const changes = table.endUser(login);
      publish(changes);
      if (changes.length) logger.warn('session ended by an operator', { login });
      return changes.length > 0;
    },
    freeMachine(hostname) {
      const changes = table.freeHost(hostname);
      publish(changes);
      if (changes.length) logger.warn('machine freed by an operator', { hostname });
      return changes.length > 0;
    },
  };
  const streams = createStreamServer({
    hub,
    access: STREAM_ACCESS,
    logger,
    metrics: deps.metrics,
    service: 'presence',
  });
  const subSecret = config.sadm.sub_secret_file
    ? readSecretFile(config.sadm.sub_secret_file)
    : null;
  const poll = sadmPollRouter({
    hub,
    tables: [
      {
        table: 'presence',
        key: (r: PresenceRecord) => r.login,
        toSadm: (r: PresenceRecord) => ({ login: r.login, hostname: r.hostname }),
      },
    ],
    subSecret,
    logger,
    metrics: deps.metrics,
    service: 'presence',
  });
  const health = (): HealthReport => {
    const tooEarlyMs = Math.max(0, startedAt + timeoutMs - now());
    const upstream = { machines: machines.status, users: users.status };
    const loaded = machines.state.size > 0 || machines.status.lastEventAt !== null;
    return {
      ok: machines.connected && users.connected,
      degraded: !(machines.connected && users.connected),
      upstream,
      loaded: {
        machines: loaded,
        users: users.status.lastEventAt !== null || users.state.size > 0,
      },
      sessions: table.size,
      too_early: tooEarlyMs > 0,
      too_early_remaining_seconds: Math.ceil(tooEarlyMs / 1000),
    };
  };
  const app = createHttpApp({
    service: 'presence',
    logger,
    metrics: deps.metrics,
    health,
    mount: (a) => a.use('/api/v1', presenceRouter(actions, deps.publicKey, streams.router)),
    beforeBody: (a) => a.use(poll.router),
  });
  let http: Listening | null = null;
  let timer: NodeJS.Timeout | null = null;
  return {
    health,
    async ready() {
      await Promise.all([machines.ready(), users.ready()]);
    },
    async start() {
      mkdirSync(config.state_dir, { recursive: true, mode: 0o700 });
      startedAt = now();
      hub.reset(0, { presence: [] });
      machines.start();
      users.start();
      http = await listen(app, config.listen.host, config.listen.port);
      timer = setInterval(purge, timeoutMs / 2);
      timer.unref();
      logger.info('presence listening', { url: http.url, timeout_seconds: config.timeout_seconds });
      return http;
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      streams.closeAll();
      poll.closeAll();
      await http?.close();
      http = null;
      await Promise.all([machines.stop(), users.stop()]);
    },
  };
}

function follow<R>(
  config: PresenceConfig,
  deps: PresenceDeps,
  table: string,
  owner: 'mdb' | 'udb',
  upstream: string,
  onState: (state: ReadonlyMap<string, R>) => void,
): SyncClient<R> {
  return createSyncClient<R>({
    baseUrl: upstream,
    table,
    token: () => deps.token(owner),
    stateFile: join(config.state_dir, `${table}.json`),
    logger: deps.logger,
    onUpdate: (state) => {
      onState(state);
      deps.logger.info('table updated', { table, records: state.size });
    },
  });
}
