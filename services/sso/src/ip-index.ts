import type { PresenceRecord } from '@lanctl/model';

/** Never stored by nginx or a browser cache: the answer depends on the asking address. */
export const NO_STORE = 'no-store, private';

/** A machine address with a login on it, and the exact answer headers, built once per change. */
export interface IpEntry {
  readonly ip: string;
  readonly hostname: string;
  readonly login: string;
  /** Whether the login comes from `overrides` rather than a presence session. */
  readonly override: boolean;
  /** `writeHead`'s flat [name, value, ...] list: the hot path sends it as is. */
  readonly headers: readonly string[];
}

/** What the index needs of a machine (mdb's `Machine`). */
export interface MachineAddress {
  hostname: string;
  ip: string | null;
}

/** SADM's status texts, byte for byte. */
export const workingStatus = (ip: string, login: string) =>
  `working: machine ${ip} has login ${login}`;
export const unknownStatus = (ip: string) => `unknown: machine ${ip} has no login`;

/** The presence table (keyed by login) as hostname → login. */
export function sessionsByHost(presence: Iterable<PresenceRecord>): Map<string, string> {
  const byHost = new Map<string, string>();
  for (const { login, hostname } of presence) byHost.set(hostname, login);
  return byHost;
}

/**
 * ip → login for every machine with an address and a login: its override if any (SADM: overrides
 * win over presence, and only name machines mdb knows), else the presence session on it.
 * Rebuilt whole on any change of machines, presence or overrides (SADM only on presence events).
 */
export function buildIpIndex(
  machines: Iterable<MachineAddress>,
  sessions: ReadonlyMap<string, string>,
  overrides: Readonly<Record<string, string>>,
): Map<string, IpEntry> {
  const index = new Map<string, IpEntry>();
  for (const { hostname, ip } of machines) {
    if (!ip) continue;
    const override = Object.hasOwn(overrides, hostname) ? overrides[hostname] : undefined;
    const login = override ?? sessions.get(hostname);
    if (login === undefined) continue;
    index.set(ip, {
      ip,
      hostname,
      login,
      override: override !== undefined,
      headers: [
        'X-SSO-User',
        login,
        'X-SSO-Status',
        workingStatus(ip, login),
        'Cache-Control',
        NO_STORE,
        'Content-Length',
        '0',
      ],
    });
  }
  return index;
}

/** Overrides naming a hostname mdb does not have (reported, never applied). */
export function unknownOverrideHosts(
  machines: Iterable<MachineAddress>,
  overrides: Readonly<Record<string, string>>,
): string[] {
  const known = new Set<string>();
  for (const m of machines) known.add(m.hostname);
  return Object.keys(overrides).filter((h) => !known.has(h));
}
