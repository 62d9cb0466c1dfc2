import { createHash } from 'node:crypto';
import {
  cidrContains,
  hostRange,
  type Machine,
  type Pool,
  parseCidr,
  parseIpv4,
} from '@lanctl/model';
import { alienClients, type DnsPlan } from './plan.ts';

export type RecordType = 'A' | 'AAAA' | 'NS' | 'SOA' | 'PTR' | 'CNAME' | 'TXT';

/**
 * One resource record in presentation form: `name` absolute and lower-case (`pc1.prolo.`),
 * `data` as in a zone file (`192.168.0.1`, `pc1.prolo.`, SOA's seven fields).
 */
export interface ZoneRecord {
  name: string;
  type: RecordType;
  ttl: number;
  data: string;
}

/** SOA fields but the serial (computed by `nextSerials`); names absolute. */
export interface Soa {
  mname: string;
  rname: string;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

export type ViewName = 'normal' | 'alien';

export interface Zone {
  /** `<view>/<origin>`: unique in a ZoneSet, the key of serials. */
  id: string;
  view: ViewName;
  /** Absolute, lower-case: `prolo.`, `0.168.192.in-addr.arpa.`. */
  origin: string;
  kind: 'forward' | 'reverse';
  /** Default TTL of the zone (`$TTL`) and the SOA record's TTL. */
  ttl: number;
  soa: Soa;
  /** Sorted by name, type, data; no SOA (see `soaRecord`), apex NS included. */
  records: ZoneRecord[];
}

export interface ZoneSet {
  zones: Zone[];
  /** Source networks (CIDR) answered from each view, in match order; the rest gets `normal`. */
  views: { name: ViewName; clients: string[] }[];
  /** Things skipped while building (pools too large to slice, machines outside every pool). */
  warnings: string[];
}

/** Pools wider than this are not sliced into /24 reverse zones (65,536 zones for a /8). */
export const MIN_REVERSE_PREFIX = 16;

/** The forward zone, one reverse zone per /24 of each pool and alien network, and the alien view. */
export function buildZones(plan: DnsPlan, machines: Machine[], pools: Pool[]): ZoneSet {
  const origin = `${plan.zone}.`;
  const nsName = `${plan.ns.name}.${origin}`;
  const soa: Soa = {
    mname: plan.soa.mname ? `${plan.soa.mname}.` : nsName,
    rname: plan.soa.rname ? `${plan.soa.rname}.` : `hostmaster.${nsName}`,
    refresh: plan.soa.refresh,
    retry: plan.soa.retry,
    expire: plan.soa.expire,
    minimum: plan.soa.minimum,
  };
  const warnings: string[] = [];
  const rr = (name: string, type: RecordType, data: string): ZoneRecord => ({
    name,
    type,
    ttl: plan.ttl,
    data,
  });
  const zone = (view: ViewName, o: string, kind: Zone['kind'], records: ZoneRecord[]): Zone => ({
    id: `${view}/${o}`,
    view,
    origin: o,
    kind,
    ttl: plan.ttl,
    soa,
    records: sortRecords([rr(o, 'NS', nsName), ...records]),
  });

  const forward: ZoneRecord[] = [rr(nsName, 'A', plan.ns.address)];
  for (const m of machines) {
    if (parseIpv4(m.ip) === null) continue;
    for (const label of [m.hostname, ...m.aliases]) {
      forward.push(rr(`${label.toLowerCase()}.${origin}`, 'A', m.ip));
    }
  }
  const alienForward = Object.entries(plan.alien.records).map(([label, ip]) =>
    rr(`${label}.${origin}`, 'A', ip),
  );

  const reverse = buildReverse(plan, machines, pools, origin, warnings);
  const zones: Zone[] = [zone('normal', origin, 'forward', forward)];
  for (const [o, records] of reverse.normal) zones.push(zone('normal', o, 'reverse', records));
  zones.push(zone('alien', origin, 'forward', alienForward));
  for (const [o, records] of reverse.alien) zones.push(zone('alien', o, 'reverse', records));
  return {
    zones,
    views: [
      { name: 'alien', clients: alienClients(plan) },
      { name: 'normal', clients: ['0.0.0.0/0'] },
    ],
    warnings,
  };
}

/** `c.b.a.in-addr.arpa.` for the /24 holding `ip`. */
export function reverseZoneOf(ip: number): string {
  return `${(ip >>> 8) & 255}.${(ip >>> 16) & 255}.${ip >>> 24}.in-addr.arpa.`;
}

/** `d.c.b.a.in-addr.arpa.` for `ip`. */
export function reverseName(ip: number): string {
  return `${ip & 255}.${reverseZoneOf(ip)}`;
}

function slices(cidrText: string, warnings: string[]): number[] {
  const cidr = parseCidr(cidrText);
  if (cidr === null) return [];
  if (cidr.prefix < MIN_REVERSE_PREFIX) {
    warnings.push(`${cidrText}: wider than /${MIN_REVERSE_PREFIX}, no reverse zone`);
    return [];
  }
  const out: number[] = [];
  for (let s = cidr.network - (cidr.network % 256); s <= cidr.broadcast; s += 256) out.push(s);
  return out;
}

interface ReverseZones {
  normal: Map<string, ZoneRecord[]>;
  alien: Map<string, ZoneRecord[]>;
}

function buildReverse(
  plan: DnsPlan,
  machines: Machine[],
  pools: Pool[],
  origin: string,
  warnings: string[],
): ReverseZones {
  const normal = new Map<string, ZoneRecord[]>();
  const alien = new Map<string, ZoneRecord[]>();
  const poolCidrs = pools.flatMap((p) => parseCidr(p.network) ?? []);
  for (const p of pools)
    for (const s of slices(p.network, warnings)) normal.set(reverseZoneOf(s), []);
  const taken = new Set<number>();
  let outside = 0;
  for (const m of machines) {
    const ip = parseIpv4(m.ip);
    if (ip === null) continue;
    const records = normal.get(reverseZoneOf(ip));
    if (records === undefined || !poolCidrs.some((c) => cidrContains(c, ip))) {
      outside++;
      continue;
    }
    records.push({
      name: reverseName(ip),
      type: 'PTR',
      ttl: plan.ttl,
      data: `${m.hostname}.${origin}`,
    });
    taken.add(ip);
  }
  if (outside > 0) warnings.push(`${outside} machine(s) outside every pool have no PTR record`);
  const gateways = new Set(Object.values(plan.alien.records).map((ip) => parseIpv4(ip)));
  for (const net of plan.alien.networks) {
    const cidr = parseCidr(net);
    if (cidr === null) continue;
    const sliceList = slices(net, warnings);
    const { first, last } = hostRange(cidr);
    for (const s of sliceList) {
      const o = reverseZoneOf(s);
      const records: ZoneRecord[] = [];
      for (let ip = Math.max(first, s); ip <= Math.min(last, s + 255); ip++) {
        if (taken.has(ip)) continue;
        const label = gateways.has(ip) ? 'gw' : `unknown-${ip - cidr.network}`;
        records.push({
          name: reverseName(ip),
          type: 'PTR',
          ttl: plan.ttl,
          data: `${label}.alien.${origin}`,
        });
      }
      normal.set(o, [...(normal.get(o) ?? []), ...records]);
      alien.set(o, [...(alien.get(o) ?? []), ...records]);
    }
  }
  return { normal, alien };
}

function compareRecords(a: ZoneRecord, b: ZoneRecord): number {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  if (a.type !== b.type) return a.type < b.type ? -1 : 1;
  return a.data < b.data ? -1 : a.data > b.data ? 1 : 0;
}

/** Sorted, exact duplicates removed (an alias equal to another machine's name stays two A records). */
export function sortRecords(records: ZoneRecord[]): ZoneRecord[] {
  const sorted = [...records].sort(compareRecords);
  return sorted.filter((r, i) => i === 0 || compareRecords(r, sorted[i - 1] as ZoneRecord) !== 0);
}

/** The zone's SOA record with `serial`. */
export function soaRecord(zone: Zone, serial: number): ZoneRecord {
  const s = zone.soa;
  return {
    name: zone.origin,
    type: 'SOA',
    ttl: zone.ttl,
    data: `${s.mname} ${s.rname} ${serial} ${s.refresh} ${s.retry} ${s.expire} ${s.minimum}`,
  };
}

/** sha256 (hex) of everything a zone serves except the serial. */
export function zoneDigest(zone: Zone): string {
  const h = createHash('sha256');
  h.update(`${zone.origin}\n${zone.ttl}\n${JSON.stringify(zone.soa)}\n`);
  for (const r of zone.records) h.update(`${r.name} ${r.ttl} ${r.type} ${r.data}\n`);
  return h.digest('hex');
}

export interface SerialState {
  digest: string;
  serial: number;
}

/** `YYYYMMDD00` of `now` in UTC. */
export function dateSerial(now: Date): number {
  return (now.getUTCFullYear() * 10000 + (now.getUTCMonth() + 1) * 100 + now.getUTCDate()) * 100;
}

/**
 * Serials by zone id. A zone keeps its serial while its digest is unchanged; a changed or new
 * zone gets `max(previous + 1, YYYYMMDD00)` (date-based, RFC 1912 style, and monotonic even after
 * 100 changes in a day). Zones that disappeared keep their entry so a comeback never goes back.
 */
export function nextSerials(
  previous: Record<string, SerialState>,
  zones: Zone[],
  now: Date,
): Record<string, SerialState> {
  const next: Record<string, SerialState> = { ...previous };
  const base = dateSerial(now);
  for (const zone of zones) {
    const digest = zoneDigest(zone);
    const prev = previous[zone.id];
    if (prev !== undefined && prev.digest === digest) continue;
    const serial = prev === undefined ? base : Math.max(prev.serial + 1, base);
    next[zone.id] = { digest, serial: serial % 2 ** 32 };
  }
  return next;
}
