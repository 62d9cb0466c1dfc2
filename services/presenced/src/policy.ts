import type { PasswdEntry } from './passwd.ts';

/** Inclusive range of the uids presence controls (config `managed_uids`). */
export interface UidRange {
  min: number;
  max: number;
}

export const isManaged = (entry: PasswdEntry | null, range: UidRange): boolean =>
  entry !== null && entry.uid >= range.min && entry.uid <= range.max;

/** What one heartbeat round does with the managed users logged in (SADM's heartbeat.py). */
export type HeartbeatDecision =
  | { kind: 'idle' }
  | { kind: 'send'; login: string }
  | { kind: 'several_users'; logins: string[] };

/** 0 users: nothing; exactly 1: its heartbeat; more: none, so that session expires (SADM). */
export function decideHeartbeat(managedLogins: readonly string[]): HeartbeatDecision {
  const logins = [...new Set(managedLogins)];
  if (logins.length === 0) return { kind: 'idle' };
  if (logins.length === 1) return { kind: 'send', login: logins[0] as string };
  return { kind: 'several_users', logins: logins.sort() };
}

/** The variables pam_exec sets (pam_exec(8)). */
export interface PamEnv {
  PAM_TYPE?: string;
  PAM_SERVICE?: string;
  PAM_USER?: string;
}

export type PamDecision =
  | { kind: 'skip'; reason: string }
  | { kind: 'account'; login: string }
  | { kind: 'open'; login: string }
  | { kind: 'close'; login: string };

const PHASES = { account: 'account', open_session: 'open', close_session: 'close' } as const;

/**
 * SADM's pam_prologin.py guard: `systemd-user`, other PAM types and users outside the managed
 * uids (unknown users, root, system users) pass at once; managed users go to presence. Pure:
 * `entry` is the passwd entry of PAM_USER (null when unknown).
 */
export function decidePam(env: PamEnv, entry: PasswdEntry | null, range: UidRange): PamDecision {
  const type = env.PAM_TYPE ?? '';
  const phase = Object.hasOwn(PHASES, type) ? PHASES[type as keyof typeof PHASES] : null;
  if (phase === null) return { kind: 'skip', reason: `PAM type "${type}" is not checked` };
  if (env.PAM_SERVICE === 'systemd-user')
    return { kind: 'skip', reason: 'the systemd-user service is not checked' };
  const user = env.PAM_USER ?? '';
  if (user === '') return { kind: 'skip', reason: 'no PAM_USER' };
  if (entry === null) return { kind: 'skip', reason: `${user} is not a known user` };
  if (entry.login !== user) return { kind: 'skip', reason: `passwd entry is not ${user}'s` };
  if (!isManaged(entry, range)) {
    return { kind: 'skip', reason: `uid ${entry.uid} of ${user} is not managed by lanctl` };
  }
  return { kind: phase, login: user };
}
