import type { Group } from '@lanctl/model';

/** SADM's refusal reasons (`presencesync_login_failed{reason}`), also the API's error codes. */
export const REASONS = [
  'too_early',
  'already_logged',
  'busy',
  'machine_not_registered',
  'user_not_registered',
  'user_not_allowed',
] as const;
export type Reason = (typeof REASONS)[number];

export interface Refusal {
  reason: Reason;
  /** SADM's text, word for word. */
  message: string;
}

/** What a login decision reads of mdb and udb (narrow, so tests and the service share it). */
export interface Directory {
  /** The machine type of the machine named exactly `hostname`, undefined if none. */
  machineType(hostname: string): string | undefined;
  /** The group of user `login`, undefined if none. */
  userGroup(login: string): Group | undefined;
}

/** A change to publish on the `presence` stream (SADM: pk `login`; a delete carries the last host). */
export type Change = { op: 'update' | 'delete'; login: string; hostname: string };

export interface Session {
  login: string;
  hostname: string;
  /** ms since the epoch. */
  expiresAt: number;
}

/**
 * The pure login decision, SADM's steps 2–8 (step 1, the purge, is the caller's): `null` accepts.
 * `current` is where `login` is now, `occupant` who is on `hostname` now.
 */
export function decide(input: {
  login: string;
  hostname: string;
  tooEarly: boolean;
  current: string | undefined;
  occupant: string | undefined;
  directory: Directory;
}): Refusal | null {
  const { login: l, hostname: h } = input;
  if (input.tooEarly) return { reason: 'too_early', message: 'Too early login: try again later' };
  if (input.current === h) return null;
  if (input.current !== undefined)
    return { reason: 'already_logged', message: `${l} is already logged somewhere else` };
  if (input.occupant !== undefined) return { reason: 'busy', message: `${h} is busy` };
  return whoMayUse(l, h, input.directory);
}

/**
 * A heartbeat (L, H): the machine says L is its one managed user. It refreshes L's session on H,
 * takes H over from whoever was there (the machine knows who sits at it), and is held to the
 * same directory rules as a login. It moves L from another host only while the sessions are
 * being rebuilt after a start; later, L's live session elsewhere wins until it ends or expires
 * (SADM moved it, so one machine could claim anyone logged in elsewhere).
 */
export function decideHeartbeat(input: {
  login: string;
  hostname: string;
  rebuilding: boolean;
  current: string | undefined;
  directory: Directory;
}): Refusal | null {
  const { login: l, hostname: h } = input;
  if (input.current === h) return null;
  if (input.current !== undefined && !input.rebuilding)
    return { reason: 'already_logged', message: `${l} is already logged somewhere else` };
  return whoMayUse(l, h, input.directory);
}

/** SADM's steps 6–8: a registered machine, a registered user, a contestant on a `user` machine. */
function whoMayUse(l: string, h: string, directory: Directory): Refusal | null {
  const mtype = directory.machineType(h);
  if (mtype === undefined)
    return { reason: 'machine_not_registered', message: `${h} is not a registered machine` };
  const group = directory.userGroup(l);
  if (group === undefined)
    return { reason: 'user_not_registered', message: `${l} is not a registered user` };
  if (group === 'user' && mtype !== 'user') {
    return {
      reason: 'user_not_allowed',
      message: `${l} is not a kind of user that is allowed to log on ${h}`,
    };
  }
  return null;
}

/**
 * Who is on which machine: one machine per user, one user per machine, each session expiring
 * `timeoutMs` after its last login or heartbeat. Every mutation returns the changes to publish.
 */
export class PresenceTable {
  private readonly byLogin = new Map<string, Session>();
  private readonly byHost = new Map<string, string>();
  /** The latest `now` seen: a clock stepped back must not break the expiry order purge relies on. */
  private latest = Number.NEGATIVE_INFINITY;

  constructor(private readonly timeoutMs: number) {}

  private monotonic(now: number): number {
    this.latest = Math.max(this.latest, now);
    return this.latest;
  }

  get size(): number {
    return this.byLogin.size;
  }

  list(): Session[] {
    return [...this.byLogin.values()].sort((a, b) => a.login.localeCompare(b.login));
  }

  hostOf(login: string): string | undefined {
    return this.byLogin.get(login)?.hostname;
  }

  occupantOf(hostname: string): string | undefined {
    return this.byHost.get(hostname);
  }

  /**
   * Ends every session whose expiry is past. `byLogin` is kept in expiry order (a refresh moves
   * the session to the end), so this stops at the first live session: it runs before every
   * request and must not scan 2,000 sessions each time (pnpm bench:presence).
   */
  purge(at: number): Change[] {
    const now = this.monotonic(at);
    const changes: Change[] = [];
    for (const s of this.byLogin.values()) {
      if (s.expiresAt > now) break;
      changes.push(...this.endUser(s.login));
    }
    return changes;
  }

  /**
   * Sets `login` on `hostname` until now + timeout: another login on that host is ended, and
   * `login`'s previous host is freed (SADM kept it busy until restart).
   */
  refresh(login: string, hostname: string, at: number): Change[] {
    const now = this.monotonic(at);
    const changes: Change[] = [];
    const occupant = this.byHost.get(hostname);
    if (occupant !== undefined && occupant !== login) changes.push(...this.endUser(occupant));
    const previous = this.byLogin.get(login);
    if (previous && previous.hostname !== hostname) this.byHost.delete(previous.hostname);
    // Deleted first so that the refreshed session moves to the end: expiry order (see purge).
    this.byLogin.delete(login);
    this.byLogin.set(login, { login, hostname, expiresAt: now + this.timeoutMs });
    this.byHost.set(hostname, login);
    if (previous?.hostname !== hostname) changes.push({ op: 'update', login, hostname });
    return changes;
  }

  /** Ends `login`'s session, if any. */
  endUser(login: string): Change[] {
    const s = this.byLogin.get(login);
    if (!s) return [];
    this.byLogin.delete(login);
    if (this.byHost.get(s.hostname) === login) this.byHost.delete(s.hostname);
    return [{ op: 'delete', login, hostname: s.hostname }];
  }

  /** Ends the session on `hostname`, if any. */
  freeHost(hostname: string): Change[] {
    const login = this.byHost.get(hostname);
    return login === undefined ? [] : this.endUser(login);
  }
}
