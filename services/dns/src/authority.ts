import {
  type DnsMessage,
  type DnsRecord,
  emptyFlags,
  encode,
  Rcode,
  type RData,
  RRType,
  type SerialState,
  type ViewName,
  type Zone,
  type ZoneRecord,
  type ZoneSet,
} from '@lanctl/dns-wire';
import { type Cidr, cidrContains, parseCidr } from '@lanctl/model';

interface ZoneEntry {
  origin: string;
  soa: DnsRecord;
}

interface ViewIndex {
  /** Longest origin first. */
  zones: ZoneEntry[];
  names: Map<string, Map<number, DnsRecord[]>>;
  /** Names with no record but with records below them (RFC 8020: NODATA, not NXDOMAIN). */
  empty: Set<string>;
}

/** The served zones, indexed for lookups, with a lazily filled cache of encoded responses. */
export interface ZoneIndex {
  views: Map<ViewName, ViewIndex>;
  /** Client networks of each view, in match order (the last view is the default). */
  viewClients: { name: ViewName; cidrs: Cidr[] }[];
  serials: Record<string, SerialState>;
  records: number;
  templates: Map<string, Uint8Array>;
}

const TYPE_CODES: Record<ZoneRecord['type'], number> = {
  A: RRType.A,
  AAAA: RRType.AAAA,
  NS: RRType.NS,
  SOA: RRType.SOA,
  PTR: RRType.PTR,
  CNAME: RRType.CNAME,
  TXT: RRType.TXT,
};

function rdataOf(r: ZoneRecord): RData {
  switch (r.type) {
    case 'A':
      return { kind: 'a', address: r.data };
    case 'AAAA':
      return { kind: 'aaaa', address: r.data };
    case 'TXT':
      return { kind: 'txt', strings: [r.data.replace(/^"|"$/g, '')] };
    default:
      return { kind: 'name', name: r.data };
  }
}

function soaOf(zone: Zone, serial: number): DnsRecord {
  const s = zone.soa;
  return {
    name: zone.origin,
    type: RRType.SOA,
    class: 1,
    ttl: zone.ttl,
    data: {
      kind: 'soa',
      mname: s.mname,
      rname: s.rname,
      serial,
      refresh: s.refresh,
      retry: s.retry,
      expire: s.expire,
      minimum: s.minimum,
    },
  };
}

function add(names: ViewIndex['names'], rec: DnsRecord): void {
  let node = names.get(rec.name);
  if (!node) {
    node = new Map();
    names.set(rec.name, node);
  }
  const list = node.get(rec.type);
  if (list) list.push(rec);
  else node.set(rec.type, [rec]);
}

function indexView(zones: Zone[], serials: Record<string, SerialState>): ViewIndex {
  const view: ViewIndex = { zones: [], names: new Map(), empty: new Set() };
  for (const zone of zones) {
    const soa = soaOf(zone, serials[zone.id]?.serial ?? 0);
    view.zones.push({ origin: zone.origin, soa });
    add(view.names, soa);
    for (const r of zone.records) {
      add(view.names, {
        name: r.name,
        type: TYPE_CODES[r.type],
        class: 1,
        ttl: r.ttl,
        data: rdataOf(r),
      });
      for (let n = r.name; n !== zone.origin && n.includes('.'); ) {
        n = n.slice(n.indexOf('.') + 1);
        if (n === zone.origin || n === '') break;
        view.empty.add(n);
      }
    }
  }
  view.zones.sort((a, b) => b.origin.length - a.origin.length);
  return view;
}

/** Indexes a ZoneSet with its serials (the result of `nextSerials`). */
export function indexZones(set: ZoneSet, serials: Record<string, SerialState>): ZoneIndex {
  const views = new Map<ViewName, ViewIndex>();
  let records = 0;
  for (const name of ['normal', 'alien'] as const) {
    const zones = set.zones.filter((z) => z.view === name);
    records += zones.reduce((n, z) => n + z.records.length + 1, 0);
    views.set(name, indexView(zones, serials));
  }
  const viewClients = set.views.map((v) => ({
    name: v.name,
    cidrs: v.clients.flatMap((c) => parseCidr(c) ?? []),
  }));
  return { views, viewClients, serials, records, templates: new Map() };
}

/** The view for a client address (an integer IPv4). */
export function viewFor(index: ZoneIndex, ip: number): ViewName {
  for (const v of index.viewClients) if (v.cidrs.some((c) => cidrContains(c, ip))) return v.name;
  return 'normal';
}

export type Lookup =
  | { kind: 'outside' }
  | {
      kind: 'answer';
      rcode: number;
      answers: DnsRecord[];
      authorities: DnsRecord[];
      additionals: DnsRecord[];
    };

function zoneOf(view: ViewIndex, qname: string): ZoneEntry | undefined {
  return view.zones.find(
    (z) => qname === z.origin || qname.endsWith(`.${z.origin}`) || z.origin === '.',
  );
}

/** RFC 1034 §4.3.2 for our flat zones: answer, NODATA or NXDOMAIN (with the SOA), or not ours. */
export function lookup(index: ZoneIndex, viewName: ViewName, qname: string, qtype: number): Lookup {
  const view = index.views.get(viewName);
  const zone = view && zoneOf(view, qname);
  if (!view || !zone) return { kind: 'outside' };
  const node = view.names.get(qname);
  if (!node) {
    const rcode = view.empty.has(qname) ? Rcode.NOERROR : Rcode.NXDOMAIN;
    return { kind: 'answer', rcode, answers: [], authorities: [zone.soa], additionals: [] };
  }
  const answers = qtype === RRType.ANY ? [...node.values()].flat() : (node.get(qtype) ?? []);
  if (answers.length === 0)
    return {
      kind: 'answer',
      rcode: Rcode.NOERROR,
      answers,
      authorities: [zone.soa],
      additionals: [],
    };
  const additionals: DnsRecord[] = [];
  for (const r of answers) {
    if (r.type !== RRType.NS || r.data.kind !== 'name') continue;
    for (const t of [RRType.A, RRType.AAAA])
      additionals.push(...(view.names.get(r.data.name)?.get(t) ?? []));
  }
  return { kind: 'answer', rcode: Rcode.NOERROR, answers, authorities: [], additionals };
}

/** Largest number of cached encoded responses per index (NXDOMAIN names are unbounded). */
export const MAX_TEMPLATES = 200_000;

/**
 * The encoded response (id 0, lower-case question, no OPT) to `qname`/`qtype` from the view's
 * zones, or null when no zone of the view holds the name. Cached until the index is replaced.
 */
export function authoritativeTemplate(
  index: ZoneIndex,
  view: ViewName,
  qname: string,
  qtype: number,
  ra: boolean,
): Uint8Array | null {
  const key = `${view}\u0000${qtype}\u0000${qname}`;
  const cached = index.templates.get(key);
  if (cached) return cached;
  const found = lookup(index, view, qname, qtype);
  if (found.kind === 'outside') return null;
  const msg: DnsMessage = {
    id: 0,
    flags: { ...emptyFlags(), qr: true, aa: true, ra, rcode: found.rcode },
    questions: [{ name: qname, type: qtype, class: 1 }],
    answers: found.answers,
    authorities: found.authorities,
    additionals: found.additionals,
    edns: null,
  };
  const template = encode(msg);
  if (index.templates.size >= MAX_TEMPLATES) index.templates.clear();
  index.templates.set(key, template);
  return template;
}
