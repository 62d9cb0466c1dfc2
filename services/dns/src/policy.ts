import {
  emptyFlags,
  encode,
  Opcode,
  type QuickQuery,
  Rcode,
  RRClass,
  type ViewName,
} from '@lanctl/dns-wire';
import { type Cidr, cidrContains, parseIpv4 } from '@lanctl/model';
import { authoritativeTemplate, viewFor, type ZoneIndex } from './authority.ts';

const AXFR = 252;
const IXFR = 251;

/** Who asks, computed once per query (STYLE rule 2). */
export interface ClientInfo {
  address: string;
  view: ViewName;
  allowed: boolean;
}

export function classify(address: string, index: ZoneIndex, allow: Cidr[]): ClientInfo {
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  const ip = parseIpv4(v4);
  if (ip === null) return { address, view: 'normal', allowed: false };
  return { address, view: viewFor(index, ip), allowed: allow.some((c) => cidrContains(c, ip)) };
}

/**
 * What to do with a query. The chain (STYLE rule 6), first match wins:
 * 1. client outside `allow` → REFUSED
 * 2. opcode other than QUERY → NOTIMP; EDNS version > 0 → BADVERS
 * 3. class other than IN, zone transfers (AXFR, IXFR; SADM allowed none) → REFUSED
 * 4. the client's view's zones (forward, reverse; alien view for alien clients) → authoritative
 * 5. upstreams configured → forward; none → REFUSED
 */
export type Decision =
  | {
      kind: 'answer';
      template: Uint8Array;
      source: 'zone' | 'error';
      rcode: number;
      extendedRcode?: number;
    }
  | { kind: 'forward' };

export interface PolicyContext {
  index: ZoneIndex;
  /** Upstreams are configured: RA is set and names outside our zones are forwarded. */
  recursion: boolean;
}

/** Header + question, no records: REFUSED, NOTIMP, SERVFAIL, BADVERS answers. */
export function errorTemplate(q: QuickQuery, rcode: number, ra: boolean): Uint8Array {
  return encode({
    id: 0,
    flags: { ...emptyFlags(), qr: true, ra, opcode: (q.flags >> 11) & 15, rcode },
    questions: [{ name: q.qname, type: q.qtype, class: q.qclass }],
    answers: [],
    authorities: [],
    additionals: [],
    edns: null,
  });
}

const error = (
  q: QuickQuery,
  rcode: number,
  ctx: PolicyContext,
  extendedRcode?: number,
): Decision => ({
  kind: 'answer',
  template: errorTemplate(q, rcode, ctx.recursion),
  source: 'error',
  rcode: (extendedRcode ?? 0) * 16 + rcode,
  extendedRcode,
});

export function decide(q: QuickQuery, client: ClientInfo, ctx: PolicyContext): Decision {
  if (!client.allowed) return error(q, Rcode.REFUSED, ctx);
  if (((q.flags >> 11) & 15) !== Opcode.QUERY) return error(q, Rcode.NOTIMP, ctx);
  if (q.edns && q.edns.version > 0) return error(q, Rcode.NOERROR, ctx, 1);
  if (q.qclass !== RRClass.IN) return error(q, Rcode.REFUSED, ctx);
  if (q.qtype === AXFR || q.qtype === IXFR) return error(q, Rcode.REFUSED, ctx);
  const template = authoritativeTemplate(ctx.index, client.view, q.qname, q.qtype, ctx.recursion);
  if (template)
    return { kind: 'answer', template, source: 'zone', rcode: (template[3] as number) & 15 };
  if (ctx.recursion) return { kind: 'forward' };
  return error(q, Rcode.REFUSED, ctx);
}
