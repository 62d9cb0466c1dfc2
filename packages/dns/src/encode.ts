import { parseIpv4Bytes, parseIpv6 } from './addresses.ts';
import type { DnsFlags, DnsMessage, DnsRecord, Edns, RData } from './message.ts';
import { RRType } from './message.ts';
import { nameToLabels } from './names.ts';

/** A message that cannot be put on the wire; `field` says where (`answers.0.data.address`). */
export class EncodeError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'EncodeError';
  }
}

export function encodeFlags(f: DnsFlags): number {
  return (
    (f.qr ? 0x8000 : 0) |
    ((f.opcode & 15) << 11) |
    (f.aa ? 0x0400 : 0) |
    (f.tc ? 0x0200 : 0) |
    (f.rd ? 0x0100 : 0) |
    (f.ra ? 0x0080 : 0) |
    (f.z ? 0x0040 : 0) |
    (f.ad ? 0x0020 : 0) |
    (f.cd ? 0x0010 : 0) |
    (f.rcode & 15)
  );
}

/** A growable byte writer with RFC 1035 name compression (case-sensitive: decoding is lossless). */
class Writer {
  buf = new Uint8Array(512);
  len = 0;
  private readonly names = new Map<string, number>();

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.len++] = v & 255;
  }
  u16(v: number): void {
    this.u8(v >> 8);
    this.u8(v);
  }
  u32(v: number): void {
    this.u16(Math.floor(v / 65536) & 0xffff);
    this.u16(v & 0xffff);
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }
  setU16(at: number, v: number): void {
    this.buf[at] = (v >> 8) & 255;
    this.buf[at + 1] = v & 255;
  }
  name(name: string, field: string, compress = true): void {
    const labels = nameToLabels(name);
    if (labels instanceof Error) throw new EncodeError(field, labels.message);
    const keys = labels.map((_, i) => labelsKey(labels.slice(i)));
    for (let i = 0; i < labels.length; i++) {
      const key = keys[i] as string;
      const at = compress ? this.names.get(key) : undefined;
      if (at !== undefined) {
        this.u16(0xc000 | at);
        return;
      }
      if (compress && this.len < 0x4000) this.names.set(key, this.len);
      const label = labels[i] as Uint8Array;
      this.u8(label.length);
      this.bytes(label);
    }
    this.u8(0);
  }
}

function labelsKey(labels: Uint8Array[]): string {
  return labels.map((l) => String.fromCharCode(...l).replace(/[.\\]/g, '\\$&')).join('.');
}

function writeRdata(w: Writer, data: RData, type: number, field: string): void {
  switch (data.kind) {
    case 'a': {
      const b = parseIpv4Bytes(data.address);
      if (!b) throw new EncodeError(`${field}.address`, `not an IPv4 address: ${data.address}`);
      w.bytes(b);
      return;
    }
    case 'aaaa': {
      const b = parseIpv6(data.address);
      if (!b) throw new EncodeError(`${field}.address`, `not an IPv6 address: ${data.address}`);
      w.bytes(b);
      return;
    }
    case 'name':
      // RFC 3597 §4: compression only in the well-known types of RFC 1035.
      w.name(
        data.name,
        `${field}.name`,
        type === RRType.NS || type === RRType.CNAME || type === RRType.PTR,
      );
      return;
    case 'soa':
      w.name(data.mname, `${field}.mname`);
      w.name(data.rname, `${field}.rname`);
      for (const v of [data.serial, data.refresh, data.retry, data.expire, data.minimum]) w.u32(v);
      return;
    case 'txt':
      for (const [i, s] of data.strings.entries()) {
        if (s.length > 255) throw new EncodeError(`${field}.strings.${i}`, 'longer than 255 bytes');
        w.u8(s.length);
        for (let j = 0; j < s.length; j++) w.u8(s.charCodeAt(j));
      }
      return;
    case 'raw':
      w.bytes(data.bytes);
      return;
  }
}

function writeRecord(w: Writer, r: DnsRecord, field: string): void {
  w.name(r.name, `${field}.name`);
  w.u16(r.type);
  w.u16(r.class);
  w.u32(r.ttl);
  const lenAt = w.len;
  w.u16(0);
  writeRdata(w, r.data, r.type, `${field}.data`);
  const len = w.len - lenAt - 2;
  if (len > 0xffff) throw new EncodeError(`${field}.data`, 'rdata longer than 65535 bytes');
  w.setU16(lenAt, len);
}

function optRecord(e: Edns): DnsRecord {
  const size = e.options.reduce((n, o) => n + 4 + o.data.length, 0);
  const bytes = new Uint8Array(size);
  let p = 0;
  for (const o of e.options) {
    bytes.set([o.code >> 8, o.code & 255, o.data.length >> 8, o.data.length & 255], p);
    bytes.set(o.data, p + 4);
    p += 4 + o.data.length;
  }
  const ttl =
    (e.extendedRcode & 255) * 2 ** 24 +
    ((e.version & 255) << 16) +
    (e.do ? 0x8000 : 0) +
    (e.flags & 0x7fff);
  return { name: '.', type: RRType.OPT, class: e.udpSize, ttl, data: { kind: 'raw', bytes } };
}

/** The wire form of `msg`, names compressed. Throws EncodeError (naming the field) on bad input. */
export function encode(msg: DnsMessage): Uint8Array {
  const w = new Writer();
  const additionals = msg.edns ? [...msg.additionals, optRecord(msg.edns)] : msg.additionals;
  w.u16(msg.id);
  w.u16(encodeFlags(msg.flags));
  for (const n of [
    msg.questions.length,
    msg.answers.length,
    msg.authorities.length,
    additionals.length,
  ])
    w.u16(n);
  for (const [i, q] of msg.questions.entries()) {
    w.name(q.name, `questions.${i}.name`);
    w.u16(q.type);
    w.u16(q.class);
  }
  const sections = [
    ['answers', msg.answers],
    ['authorities', msg.authorities],
    ['additionals', additionals],
  ] as const;
  for (const [label, records] of sections) {
    for (const [i, r] of records.entries()) writeRecord(w, r, `${label}.${i}`);
  }
  return w.buf.slice(0, w.len);
}
