import { FIRST_REGULAR_UID } from './config.ts';
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

/** presenced.yml could not be loaded: why (the loader's message, naming the file and key). */
export interface ConfigProblem {
  error: string;
}

/** What the helper manages with a broken config: every uid the shell wrapper hands to node. */
export const REGULAR_UIDS: UidRange = { min: FIRST_REGULAR_UID, max: 0xffff_ffff };

export type PamDecision =
  | { kind: 'skip'; reason: string }
  /** account / open_session: shown to the user, exit 1. */
  | { kind: 'refuse'; message: string }
  /** close_session that cannot be recorded: shown to the user, exit 0 (a session always closes). */
  | { kind: 'unrecorded'; message: string }
  | { kind: 'account'; login: string }
  | { kind: 'open'; login: string }
  | { kind: 'close'; login: string };

const PHASES = { account: 'account', open_session: 'open', close_session: 'close' } as const;

/**
 * SADM's pam_prologin.py guard: `systemd-user`, other PAM types and users outside the managed
 * uids (unknown users, root, system users) pass at once; managed users go to presence. Pure:
 * `entry` is the passwd entry NSS returned for PAM_USER (null: not found, the only unknown that
 * passes). A managed uid that NSS returns under another name (case-insensitive LDAP/sssd, a
 * numeric name read as a uid) is refused; with a broken config every uid ≥ 1000 is.
 */
export function decidePam(
  env: PamEnv,
  entry: PasswdEntry | null,
  managed: UidRange | ConfigProblem,
): PamDecision {
  const type = env.PAM_TYPE ?? '';
  const phase = Object.hasOwn(PHASES, type) ? PHASES[type as keyof typeof PHASES] : null;
  if (phase === null) return { kind: 'skip', reason: `PAM type "${type}" is not checked` };
  if (env.PAM_SERVICE === 'systemd-user')
    return { kind: 'skip', reason: 'the systemd-user service is not checked' };
  const user = env.PAM_USER ?? '';
  if (user === '') return { kind: 'skip', reason: 'no PAM_USER' };
  if (entry === null) return { kind: 'skip', reason: `${user} is not a known user` };
  const broken = 'error' in managed;
  if (!isManaged(entry, broken ? REGULAR_UIDS : managed)) {
    return { kind: 'skip', reason: `uid ${entry.uid} of ${user} is not managed by lanctl` };
  }
  if (broken) {
    const error = managed.error.replace(/\s*\n\s*/g, '; ');
    const why = `lanctl-pam cannot load its config (${error}), so every user with uid ≥ ${FIRST_REGULAR_UID} is refused until an organizer fixes it`;
    return block(phase, 'Login impossible', why);
  }
  if (entry.login !== user) {
    const why = `the user database answers "${user}" with the account ${entry.login} (uid ${entry.uid}); log in as ${entry.login}`;
    return block(phase, 'Login forbidden', why);
  }
  return { kind: phase, login: user };
}

function block(phase: 'account' | 'open' | 'close', prefix: string, why: string): PamDecision {
  return phase === 'close'
    ? { kind: 'unrecorded', message: `Logout not recorded: ${why}` }
    : { kind: 'refuse', message: `${prefix}: ${why}` };
}
