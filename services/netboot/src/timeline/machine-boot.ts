import {
  type BootSummary,
  type DhcpBootEvent,
  fromDhcp,
  fromNetboot,
  fromTftp,
  lastBoot,
  type NetbootEvent,
} from '@lanctl/boot';
import type { Machine } from '@lanctl/model';
import type { EventLog } from './event-log.ts';
import { fetchDhcp, fetchTftp, type Source } from './sources.ts';
import { addressWindows, GIVEN, ownNetbootEvents, ownTransfers } from './windows.ts';

/** Without DHCP's records: the addresses this MAC's own requests came from, around them. */
function addReportedWindows(windows: Map<string, [number, number][]>, events: NetbootEvent[]) {
  const SLACK = 5 * 60_000;
  for (const e of events) {
    const list = windows.get(e.ip) ?? [];
    list.push([e.at - SLACK, e.at + SLACK]);
    windows.set(e.ip, list);
  }
}

/** Netboot events read per query (by MAC, by addresses). */
const NETBOOT_LIMIT = 2000;

export interface BootSources {
  log: EventLog;
  dhcp: Source;
  tftp: Source;
  timeoutMs?: number;
}

/** A registered machine, or an unknown MAC (hostname and ip null: an alien not yet registered). */
export type Target = Pick<Machine, 'mac'> & { hostname: string | null; ip: string | null };

export interface MachineBoot {
  hostname: string | null;
  mac: string;
  ip: string | null;
  sources: { dhcp: string; tftp: string; netboot: string };
  boot: BootSummary;
}

const key = (e: NetbootEvent) => `${e.at}|${e.ip}|${e.kind}|${e.path}|${e.status}|${e.outcome}`;

/** The machine's fixed address and every address DHCP gave its MAC (or it used) since then. */
function addressesOf(machine: Target, dhcp: DhcpBootEvent[], net: NetbootEvent[]): string[] {
  const ips = new Set(machine.ip ? [machine.ip] : []);
  for (const e of dhcp) if (e.address && GIVEN.has(e.type)) ips.add(e.address);
  for (const e of net) ips.add(e.ip);
  return [...ips];
}

/** The MAC's own events (already read) and those of its addresses, each once. */
function netbootEvents(log: EventLog, byMac: NetbootEvent[], ips: string[], sinceMs: number) {
  const seen = new Set<string>();
  const out: NetbootEvent[] = [];
  for (const e of [...byMac, ...log.byIps(ips, sinceMs, NETBOOT_LIMIT)]) {
    const k = key(e);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(e);
  }
  return out;
}

/**
 * One machine's last boot, joined from dhcp (by MAC), tftp (by address) and the netboot log (by
 * MAC and by address): the fixed address and each one DHCP gave the MAC since `sinceMs`.
 */
export async function machineBoot(
  sources: BootSources,
  machine: Target,
  sinceMs: number,
): Promise<MachineBoot> {
  const dhcp = await fetchDhcp(sources.dhcp, machine.mac, sources.timeoutMs);
  const dhcpEvents = dhcp.items.filter((e) => Date.parse(e.at) >= sinceMs);
  const byMac = sources.log.byMac(machine.mac, sinceMs, NETBOOT_LIMIT);
  const ips = addressesOf(machine, dhcpEvents, byMac);
  const tftp = await fetchTftp(sources.tftp, ips, sources.timeoutMs);
  const transfers = tftp.items.filter((t) => Date.parse(t.at) >= sinceMs);
  const dhcpKnown = dhcp.status === 'ok' || dhcp.status.startsWith('partial');
  const windows = addressWindows(machine.ip, dhcpEvents);
  if (!dhcpKnown) addReportedWindows(windows, byMac);
  const net = ownNetbootEvents(
    windows,
    machine.mac,
    netbootEvents(sources.log, byMac, ips, sinceMs),
    dhcpKnown,
  );
  const own = ownTransfers(windows, transfers);
  const boot = lastBoot([...fromDhcp(dhcpEvents), ...fromTftp(own), ...fromNetboot(net)]);
  return {
    hostname: machine.hostname,
    mac: machine.mac,
    ip: machine.ip,
    sources: { dhcp: dhcp.status, tftp: tftp.status, netboot: 'ok' },
    boot,
  };
}
