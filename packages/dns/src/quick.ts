/**
 * The server's hot path: read the one question of an ordinary query without building a
 * DnsMessage, and turn a precomputed response (a "template") into the answer to that query by
 * patching id, flags and question bytes and appending an OPT record. Anything unusual returns
 * null here and takes the full `decode` path.
 */
import { RRType } from './message.ts';

export interface QuickEdns {
  udpSize: number;
  do: boolean;
  version: number;
}

export interface QuickQuery {
  id: number;
  /** The raw flag word of the query. */
  flags: number;
  /** Lower-cased presentation form, absolute (`pc1.prolo.`). */
  qname: string;
  qtype: number;
  qclass: number;
  /** Offset just after the question (the question is bytes 12..questionEnd). */
  questionEnd: number;
  edns: QuickEdns | null;
}

const u16 = (b: Uint8Array, at: number) => ((b[at] as number) << 8) | (b[at + 1] as number);

function labelText(buf: Uint8Array, start: number, len: number): string {
  let s = '';
  for (let i = start; i < start + len; i++) {
    let c = buf[i] as number;
    if (c >= 0x41 && c <= 0x5a) c += 32;
    if (c === 0x2e || c === 0x5c) s += `\\${String.fromCharCode(c)}`;
    else if (c <= 0x20 || c >= 0x7f) s += `\\${c.toString().padStart(3, '0')}`;
    else s += String.fromCharCode(c);
  }
  return s;
}

function quickEdns(buf: Uint8Array, at: number): QuickEdns | null {
  // root name, TYPE OPT, CLASS = udp size, TTL = ext-rcode/version/flags, RDLEN, options.
  if (at + 11 > buf.length || buf[at] !== 0 || u16(buf, at + 1) !== RRType.OPT) return null;
  const rdlen = u16(buf, at + 9);
  if (at + 11 + rdlen !== buf.length) return null;
  for (let p = at + 11; p < buf.length; ) {
    if (p + 4 > buf.length) return null;
    p += 4 + u16(buf, p + 2);
    if (p > buf.length) return null;
  }
  return {
    udpSize: u16(buf, at + 3),
    version: buf[at + 6] as number,
    do: ((buf[at + 7] as number) & 0x80) !== 0,
  };
}

/**
 * The question of a plain query (QR=0, one question, no answer/authority records, at most an OPT
 * with well-formed options, an uncompressed name), or null for anything else.
 */
export function parseQuery(buf: Uint8Array): QuickQuery | null {
  if (buf.length < 17) return null;
  const flags = u16(buf, 2);
  if (flags & 0x8000 || u16(buf, 4) !== 1 || u16(buf, 6) !== 0 || u16(buf, 8) !== 0) return null;
  const ar = u16(buf, 10);
  if (ar > 1) return null;
  let p = 12;
  let qname = '';
  for (;;) {
    const len = buf[p];
    if (len === undefined || len > 63) return null;
    if (len === 0) break;
    if (p + 1 + len > buf.length || p + len > 12 + 254) return null;
    qname += `${labelText(buf, p + 1, len)}.`;
    p += 1 + len;
  }
  const questionEnd = p + 5;
  if (questionEnd > buf.length) return null;
  const edns = ar === 1 ? quickEdns(buf, questionEnd) : null;
  if (ar === 1 ? edns === null : questionEnd !== buf.length) return null;
  return {
    id: u16(buf, 0),
    flags,
    qname: qname === '' ? '.' : qname,
    qtype: u16(buf, p + 1),
    qclass: u16(buf, p + 3),
    questionEnd,
    edns,
  };
}

/** Flags of a query kept in its response: RD and CD (and the opcode). */
const KEPT_FLAGS = 0x0100 | 0x0010 | 0x7800;
const OPT_SIZE = 11;

export interface PatchOptions {
  /** The largest response the transport takes: 512 or the client's EDNS size (UDP), 65535 (TCP). */
  limit: number;
  /** Our EDNS UDP payload size, advertised in the OPT of every answer to an EDNS query. */
  udpSize: number;
  /** The high 8 bits of a 12-bit rcode (BADVERS = 1). */
  extendedRcode?: number;
}

function writeOpt(out: Uint8Array, at: number, q: QuickQuery, o: PatchOptions): void {
  out[at] = 0;
  out[at + 1] = 0;
  out[at + 2] = RRType.OPT;
  out[at + 3] = o.udpSize >> 8;
  out[at + 4] = o.udpSize & 255;
  out[at + 5] = o.extendedRcode ?? 0;
  out[at + 6] = 0;
  out[at + 7] = q.edns?.do ? 0x80 : 0;
  out[at + 8] = 0;
  out[at + 9] = 0;
  out[at + 10] = 0;
}

/**
 * The answer to query `q` (raw bytes `query`) from `template`: an encoded response to the same
 * question (lower-case name, any id, no OPT). Sets TC and drops every record when it does not fit
 * `limit`. The client's question bytes are copied in, so its letter case is echoed.
 */
export function patchResponse(
  template: Uint8Array,
  query: Uint8Array,
  q: QuickQuery,
  o: PatchOptions,
): Uint8Array {
  const opt = q.edns ? OPT_SIZE : 0;
  const fits = template.length + opt <= o.limit;
  const body = fits ? template.length : q.questionEnd;
  const out = new Uint8Array(body + opt);
  out.set(fits ? template : template.subarray(0, q.questionEnd));
  out.set(query.subarray(12, q.questionEnd), 12);
  out[0] = q.id >> 8;
  out[1] = q.id & 255;
  const flags =
    (u16(template, 2) & ~KEPT_FLAGS & ~0x0200) | (q.flags & KEPT_FLAGS) | (fits ? 0 : 0x0200);
  out[2] = flags >> 8;
  out[3] = flags & 255;
  if (!fits) out.fill(0, 6, 12);
  if (opt) {
    const ar = u16(out, 10) + 1;
    out[10] = ar >> 8;
    out[11] = ar & 255;
    writeOpt(out, body, q, o);
  }
  return out;
}

/** The response size limit for UDP: 512 without EDNS, else the client's size within [512, ours]. */
export function udpLimit(q: QuickQuery, ours: number): number {
  if (!q.edns) return 512;
  return Math.max(512, Math.min(q.edns.udpSize, ours));
}
