import type { Logger } from '@lanctl/core';
import type { PresencedMetrics } from './metrics.ts';
import type { PasswdEntry, PasswdLookup } from './passwd.ts';
import { decideHeartbeat, isManaged, type UidRange } from './policy.ts';

export interface HeartbeatDeps {
  /** Logins with a live session on this machine (utmp). */
  loggedIn: () => Promise<string[]>;
  passwd: PasswdLookup;
  /** `POST /api/v1/presence/heartbeat`; throws ApiError-like `{code}` errors. */
  send: (login: string, hostname: string) => Promise<unknown>;
  hostname: string;
  range: UidRange;
  intervalMs: number;
  retryMs: number;
  logger: Logger;
  metrics: PresencedMetrics;
  now: () => number;
}

export type HeartbeatState =
  | { kind: 'starting' }
  | { kind: 'idle' }
  | { kind: 'heartbeating'; login: string }
  | { kind: 'several_users'; logins: string[] }
  | { kind: 'failing'; reason: string; error: string };

export interface HeartbeatStatus {
  state: HeartbeatState;
  consecutiveFailures: number;
  /** ms since the epoch, null: never. */
  lastSuccessAt: number | null;
  managedUsers: number;
}

class RoundError extends Error {
  constructor(
    readonly reason: string,
    cause: unknown,
  ) {
    super((cause as Error)?.message ?? String(cause), { cause });
  }
}

/** Runs `step`, turning its failure into a RoundError with `reason` (or the error's own `code`). */
async function step<T>(reason: string | null, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    throw new RoundError(reason ?? (typeof code === 'string' ? code : 'error'), e);
  }
}

/**
 * SADM's heartbeat loop: every interval, the managed users logged in decide (policy.ts); a failed
 * round is retried after `retryMs`, doubled while it keeps failing, never later than the interval.
 * Logs once per change of state, not every round.
 */
export class HeartbeatLoop {
  private readonly current: HeartbeatStatus = {
    state: { kind: 'starting' },
    consecutiveFailures: 0,
    lastSuccessAt: null,
    managedUsers: 0,
  };
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;

  constructor(private readonly deps: HeartbeatDeps) {}

  status(): HeartbeatStatus {
    return { ...this.current };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One round now (the timer calls it; tests too). */
  async round(): Promise<void> {
    const { metrics } = this.deps;
    let next: HeartbeatState;
    try {
      next = await this.evaluate();
    } catch (e) {
      const error = e instanceof RoundError ? e : new RoundError('error', e);
      metrics.failed.inc({ reason: error.reason });
      next = { kind: 'failing', reason: error.reason, error: error.message };
    }
    metrics.rounds.inc();
    const failures = next.kind === 'failing' ? this.current.consecutiveFailures + 1 : 0;
    if (stateKey(this.current.state) !== stateKey(next)) {
      const meta = { hostname: this.deps.hostname };
      report(this.deps.logger, meta, this.current, next, this.delayAfter(failures));
    }
    this.current.state = next;
    this.current.consecutiveFailures = failures;
  }

  private async evaluate(): Promise<HeartbeatState> {
    const { deps, current } = this;
    const logins = await step('utmp', deps.loggedIn);
    const entries = await step('passwd', () => Promise.all(logins.map(deps.passwd.byName)));
    const managed = entries
      .filter((e): e is PasswdEntry => isManaged(e, deps.range))
      .map((e) => e.login);
    const decision = decideHeartbeat(managed);
    current.managedUsers =
      decision.kind === 'several_users' ? decision.logins.length : managed.length;
    deps.metrics.managedUsers.set(current.managedUsers);
    if (decision.kind === 'idle') return { kind: 'idle' };
    if (decision.kind === 'several_users') {
      deps.metrics.skipped.inc({ reason: 'several_users' });
      return { kind: 'several_users', logins: decision.logins };
    }
    await step(null, () => deps.send(decision.login, deps.hostname));
    deps.metrics.sent.inc();
    current.lastSuccessAt = deps.now();
    deps.metrics.lastSuccess.set(current.lastSuccessAt / 1000);
    return { kind: 'heartbeating', login: decision.login };
  }

  private delayAfter(failures: number): number {
    const { intervalMs, retryMs } = this.deps;
    if (failures === 0) return intervalMs;
    return Math.min(retryMs * 2 ** Math.min(failures - 1, 20), intervalMs);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.round().finally(() => {
        this.running = null;
        this.schedule(this.delayAfter(this.current.consecutiveFailures));
      });
    }, delayMs);
  }
}

/** The one log line of a change of state. */
function report(
  logger: Logger,
  meta: { hostname: string },
  prev: HeartbeatStatus,
  next: HeartbeatState,
  delayMs: number,
): void {
  if (prev.state.kind === 'failing' && next.kind !== 'failing') {
    logger.info('heartbeat round recovered', { ...meta, failed_rounds: prev.consecutiveFailures });
  }
  if (next.kind === 'idle') logger.info('no managed user logged in', meta);
  if (next.kind === 'heartbeating')
    logger.info('sending heartbeats', { ...meta, login: next.login });
  if (next.kind === 'several_users') {
    logger.error('several managed users logged in: no heartbeat, their session will expire', {
      ...meta,
      logins: next.logins,
    });
  }
  if (next.kind === 'failing') {
    logger.error('heartbeat round failed; retrying', {
      ...meta,
      reason: next.reason,
      error: next.error,
      retry_in_seconds: delayMs / 1000,
    });
  }
}

export const createHeartbeat = (deps: HeartbeatDeps): HeartbeatLoop => new HeartbeatLoop(deps);

/** Two states that log the same way (a failure's message may vary: its reason may not). */
function stateKey(s: HeartbeatState): string {
  if (s.kind === 'heartbeating') return `heartbeating:${s.login}`;
  if (s.kind === 'several_users') return `several_users:${s.logins.join(',')}`;
  if (s.kind === 'failing') return `failing:${s.reason}`;
  return s.kind;
}
