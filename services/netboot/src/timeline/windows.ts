import type { DhcpBootEvent, NetbootEvent, TftpTransfer } from '@lanctl/boot';

/** When an address was this machine's: [from, to) in ms. */
type Window = [number, number];

/** DHCP replies that give the client an address. */
export const GIVEN = new Set(['OFFER', 'ACK']);

/**
 * When each address belonged to the machine: its fixed address always; an address DHCP gave its
 * MAC from that reply until DHCP gave it another one. An alien address reused later by another
 * machine is then not joined to this one (events before or after its own lease are someone else's).
 */
export function addressWindows(
  fixed: string | null,
  dhcp: readonly DhcpBootEvent[],
): Map<string, Window[]> {
  const windows = new Map<string, Window[]>();
  if (fixed) windows.set(fixed, [[-Infinity, Infinity]]);
  let open = null as { ip: string; window: Window } | null;
  const given = dhcp
    .filter((e) => e.address && GIVEN.has(e.type))
    .map((e) => ({ ip: e.address!, at: Date.parse(e.at) }))
    .sort((a, b) => a.at - b.at);
  for (const { ip, at } of given) {
    if (open?.ip === ip) continue;
    if (open) open.window[1] = at;
    if (ip === fixed) {
      open = null;
      continue;
    }
    // A second of slack: the client may use the address as the reply is being logged.
    const window: Window = [at - 1000, Infinity];
    windows.set(ip, [...(windows.get(ip) ?? []), window]);
    open = { ip, window };
  }
  return windows;
}

const inside = (windows: Map<string, Window[]>, ip: string, at: number) =>
  (windows.get(ip) ?? []).some(([from, to]) => at >= from && at < to);

/** TFTP transfers from one of the machine's addresses while it was the machine's. */
export function ownTransfers(
  windows: Map<string, Window[]>,
  transfers: readonly TftpTransfer[],
): TftpTransfer[] {
  return transfers.filter((t) => inside(windows, t.ip, Date.parse(t.at)));
}

/**
 * Netboot events of the machine: never one naming another MAC; one naming this MAC or none only
 * from the machine's address at the time (a `?mac=` anyone may type proves nothing by itself).
 * Without DHCP's records (not configured, unavailable) the MAC a request names is believed.
 */
export function ownNetbootEvents(
  windows: Map<string, Window[]>,
  mac: string,
  events: readonly NetbootEvent[],
  dhcpKnown: boolean,
): NetbootEvent[] {
  return events.filter((e) => {
    if (e.mac !== null && e.mac !== mac) return false;
    if (e.mac === mac && !dhcpKnown) return true;
    return inside(windows, e.ip, e.at);
  });
}
