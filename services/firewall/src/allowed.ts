import type { Group } from '@lanctl/model';
import { formatIpv4, parseIpv4 } from '@lanctl/model';

/** The machine fields the policy reads (mdb's `machines` records carry more). */
export interface MachineView {
  hostname: string;
  ip: string;
  mtype: string;
}

/** The user fields the policy reads (udb's `users` records). */
export interface UserView {
  login: string;
  group: Group;
}

/** A presence session (the `presence` stream's records). */
export interface SessionView {
  login: string;
  hostname: string;
}

export interface AllowedInput {
  machines: Iterable<MachineView>;
  users: Iterable<UserView>;
  sessions: Iterable<SessionView>;
  contestMode: boolean;
  allowedGroups: readonly Group[];
}

/** The machine type whose machines are always online (SADM's rule). */
export const ORGA_MTYPE = 'orga';

/** The groups in effect: contest mode takes `user` (contestants) away. */
export function effectiveGroups(allowedGroups: readonly Group[], contestMode: boolean): Group[] {
  return allowedGroups.filter((g) => !(contestMode && g === 'user'));
}

/**
 * SADM's presencesync_firewall rule, pure: the IPv4 addresses of machines where a user of an
 * allowed group is logged in, plus every machine of type `orga` whether or not anyone is logged
 * in. A session on a host mdb does not know, by a login udb does not know, or on a machine without
 * a valid address allows nothing. `is_faulty` is ignored, as in SADM: a logged-in user is there.
 * A machine with both a session and type `orga` is reported by its session. The map is ordered by
 * address.
 */
export function allowedAddresses(input: AllowedInput): Map<string, string> {
  const groups = new Set(effectiveGroups(input.allowedGroups, input.contestMode));
  const byHost = new Map<string, MachineView>();
  for (const m of input.machines) byHost.set(m.hostname, m);
  const groupOf = new Map<string, Group>();
  for (const u of input.users) groupOf.set(u.login, u.group);

  const found = new Map<number, string>();
  for (const m of byHost.values()) {
    const ip = parseIpv4(String(m.ip));
    if (m.mtype === ORGA_MTYPE && ip !== null) found.set(ip, `orga machine ${m.hostname}`);
  }
  for (const s of input.sessions) {
    const group = groupOf.get(s.login);
    const machine = byHost.get(s.hostname);
    if (group === undefined || !groups.has(group) || machine === undefined) continue;
    const ip = parseIpv4(String(machine.ip));
    if (ip !== null) found.set(ip, `login ${s.login} on ${s.hostname}`);
  }
  const sorted = [...found].sort(([a], [b]) => a - b);
  return new Map(sorted.map(([ip, reason]) => [formatIpv4(ip), reason]));
}

/** The settings record that turns contest mode on (mdb's `settings` stream, keyed by key). */
export function contestModeOf(settings: Iterable<{ key: string; value?: unknown }>): boolean {
  for (const s of settings) if (s.key === 'contest_mode') return s.value === true;
  return false;
}
