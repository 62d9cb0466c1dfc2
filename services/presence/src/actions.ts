import { AppError, type Logger } from '@lanctl/core';
import type { PresenceActions } from './http.ts';
import type { PresenceMetrics } from './metrics.ts';
import {
  type Change,
  type Directory,
  decide,
  decideHeartbeat,
  type PresenceTable,
} from './state.ts';

export interface ActionContext {
  table: PresenceTable;
  directory: Directory;
  /** ms since the epoch. */
  now: () => number;
  /** Logins are refused as too early while this is true (one timeout after start). */
  tooEarly: () => boolean;
  /** False until both tables exist (received, or loaded from the state files). */
  tablesLoaded: () => boolean;
  publish: (changes: Change[]) => void;
  metrics: PresenceMetrics;
  logger: Logger;
}

/** What the API does: every request first ends expired sessions (SADM's step 1). */
export function createActions(ctx: ActionContext): PresenceActions & { purge(): void } {
  const { table, now, publish, logger } = ctx;
  const purge = () => publish(table.purge(now()));
  const requireTables = () => {
    // Not a refusal of the user: without the tables every machine would look unknown.
    if (!ctx.tablesLoaded()) {
      throw new AppError(
        503,
        'unavailable',
        'the machine and user tables are not loaded yet (mdb or udb unreachable)',
      );
    }
  };
  return {
    purge,
    login(login, hostname) {
      const t0 = process.hrtime.bigint();
      purge();
      if (!ctx.tooEarly()) requireTables();
      const refusal = decide({
        login,
        hostname,
        tooEarly: ctx.tooEarly(),
        current: table.hostOf(login),
        occupant: table.occupantOf(hostname),
        directory: ctx.directory,
      });
      if (refusal) {
        ctx.metrics.refused(refusal.reason);
        logger.info('login refused', { login, hostname, reason: refusal.reason });
      } else publish(table.refresh(login, hostname, now()));
      ctx.metrics.decision(Number(process.hrtime.bigint() - t0) / 1e9);
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
      const current = table.hostOf(login);
      if (current !== hostname) {
        requireTables();
        const refusal = decideHeartbeat({
          login,
          hostname,
          rebuilding: ctx.tooEarly(),
          current,
          directory: ctx.directory,
        });
        if (refusal) {
          ctx.metrics.heartbeatRefused(refusal.reason);
          logger.warn('heartbeat refused', { login, hostname, reason: refusal.reason });
          return refusal;
        }
      }
      publish(table.refresh(login, hostname, now()));
      return null;
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
}
