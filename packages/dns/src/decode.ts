import { formatIpv6 } from './addresses.ts';
import {
  DecodeError,
  type DnsFlags,
  type DnsMessage,
  type DnsQuestion,
  type DnsRecord,
  type Edns,
  type RData,
  RRType,
} from './message.ts';
import { readName } from './names.ts';

const u16 = (b: Uint8Array, at: number) => ((b[at] as number) << 8) | (b[at + 1] as number);
const u32 = (b: Uint8Array, at: number) => u16(b, at) * 65536 + u16(b, at + 2);

export function decodeFlags(word: number): DnsFlags {
  return {
    qr: (word & 0x8000) !== 0,
    opcode: (word >> 11) & 15,
    aa: (word & 0x0400) !== 0,
    tc: (word & 0x0200) !== 0,
    rd: (word & 0x0100) !== 0,
    ra: (word & 0x0080) !== 0,
    z: (word & 0x0040) !== 0,
    ad: (word & 0x0020) !== 0,
    cd: (word & 0x0010) !== 0,
    rcode: word & 15,
  };
}

type Read<T> = { value: T; end: number } | DecodeError;

function readQuestion(buf: Uint8Array, at: number): Read<DnsQuestion> {
  const n = readName(buf, at);
  if (n instanceof DecodeError) return n;
  if (n.end + 4 > buf.length) return new DecodeError('truncated', `question at ${at} cut short`);
  return {
    value: { name: n.name, type: u16(buf, n.end), class: u16(buf, n.end + 2) },
    end: n.end + 4,
  };
}

function nameRdata(buf: Uint8Array, at: number, end: number, type: number): string | DecodeError {
  const n = readName(buf, at);
  if (n instanceof DecodeError) return n;
  if (n.end !== end)
    return new DecodeError('bad-rdata', `type ${type} rdata at ${at}: name does not fill it`);
  return n.name;
}

function readSoa(buf: Uint8Array, at: number, end: number): RData | DecodeError {
  const m = readName(buf, at);
  if (m instanceof DecodeError) return m;
  const r = readName(buf, m.end);
  if (r instanceof DecodeError) return r;
  if (r.end + 20 !== end)
    return new DecodeError('bad-rdata', `SOA rdata at ${at} has the wrong length`);
  const p = r.end;
  return {
    kind: 'soa',
    mname: m.name,
    rname: r.name,
    serial: u32(buf, p),
    refresh: u32(buf, p + 4),
    retry: u32(buf, p + 8),
    expire: u32(buf, p + 12),
    minimum: u32(buf, p + 16),
  };
}

function readTxt(buf: Uint8Array, at: number, end: number): RData | DecodeError {
  const strings: string[] = [];
  let p = at;
  while (p < end) {
    const len = buf[p] as number;
    if (p + 1 + len > end)
      return new DecodeError('bad-rdata', `TXT string at ${p} overruns the rdata`);
    strings.push(String.fromCharCode(...buf.subarray(p + 1, p + 1 + len)));
    p += 1 + len;
  }
  return { kind: 'txt', strings };
}

function readRdata(buf: Uint8Array, type: number, at: number, len: number): RData | DecodeError {
  const end = at + len;
  switch (type) {
    case RRType.A:
      if (len !== 4) return new DecodeError('bad-rdata', `A rdata at ${at} is ${len} bytes, not 4`);
      return { kind: 'a', address: `${buf[at]}.${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}` };
    case RRType.AAAA:
      if (len !== 16)
        return new DecodeError('bad-rdata', `AAAA rdata at ${at} is ${len} bytes, not 16`);
      return { kind: 'aaaa', address: formatIpv6(buf, at) };
    case RRType.NS:
    case RRType.CNAME:
    case RRType.PTR: {
      const name = nameRdata(buf, at, end, type);
      return name instanceof DecodeError ? name : { kind: 'name', name };
    }
    case RRType.SOA:
      return readSoa(buf, at, end);
    case RRType.TXT:
      return readTxt(buf, at, end);
    default:
      return { kind: 'raw', bytes: buf.slice(at, end) };
  }
}

function readRecord(buf: Uint8Array, at: number): Read<DnsRecord> {
  const n = readName(buf, at);
  if (n instanceof DecodeError) return n;
  const p = n.end;
  if (p + 10 > buf.length) return new DecodeError('truncated', `record at ${at} cut short`);
  const type = u16(buf, p);
  const len = u16(buf, p + 8);
  if (p + 10 + len > buf.length)
    return new DecodeError('truncated', `rdata at ${p + 10} runs past the end`);
  const data = readRdata(buf, type, p + 10, len);
  if (data instanceof DecodeError) return data;
  return {
    value: { name: n.name, type, class: u16(buf, p + 2), ttl: u32(buf, p + 4), data },
    end: p + 10 + len,
  };
}

/** The OPT record's fields (RFC 6891 §6.1.2); its options as raw code/data pairs. */
function toEdns(rec: DnsRecord): Edns | DecodeError {
  if (rec.name !== '.') return new DecodeError('bad-rdata', 'OPT record not owned by the root');
  const bytes = rec.data.kind === 'raw' ? rec.data.bytes : new Uint8Array();
  const options: Edns['options'] = [];
  for (let p = 0; p < bytes.length; ) {
    if (p + 4 > bytes.length) return new DecodeError('bad-rdata', `EDNS option at ${p} cut short`);
    const len = u16(bytes, p + 2);
    if (p + 4 + len > bytes.length)
      return new DecodeError('bad-rdata', `EDNS option at ${p} overruns the OPT`);
    options.push({ code: u16(bytes, p), data: bytes.slice(p + 4, p + 4 + len) });
    p += 4 + len;
  }
  return {
    udpSize: rec.class,
    extendedRcode: Math.floor(rec.ttl / 2 ** 24),
    version: (rec.ttl >>> 16) & 255,
    do: (rec.ttl & 0x8000) !== 0,
    flags: rec.ttl & 0x7fff,
    options,
  };
}

function readSection<T>(
  buf: Uint8Array,
  at: number,
  count: number,
  read: (b: Uint8Array, a: number) => Read<T>,
): Read<T[]> {
  const out: T[] = [];
  let p = at;
  for (let i = 0; i < count; i++) {
    const r = read(buf, p);
    if (r instanceof DecodeError) return r;
    out.push(r.value);
    p = r.end;
  }
  return { value: out, end: p };
}

/** A DNS message (RFC 1035 + EDNS0). Never throws: malformed input is a DecodeError. */
export function decode(input: Uint8Array): DnsMessage | DecodeError {
  const buf = input;
  if (buf.length < 12)
    return new DecodeError('too-short', `${buf.length} bytes, a DNS header has 12`);
  const qd = readSection(buf, 12, u16(buf, 4), readQuestion);
  if (qd instanceof DecodeError) return qd;
  const an = readSection(buf, qd.end, u16(buf, 6), readRecord);
  if (an instanceof DecodeError) return an;
  const ns = readSection(buf, an.end, u16(buf, 8), readRecord);
  if (ns instanceof DecodeError) return ns;
  const ar = readSection(buf, ns.end, u16(buf, 10), readRecord);
  if (ar instanceof DecodeError) return ar;
  if (ar.end !== buf.length)
    return new DecodeError('trailing-bytes', `${buf.length - ar.end} bytes after the last record`);
  const opts = ar.value.filter((r) => r.type === RRType.OPT);
  if (opts.length > 1) return new DecodeError('multiple-opt', `${opts.length} OPT records`);
  const edns = opts[0] ? toEdns(opts[0]) : null;
  if (edns instanceof DecodeError) return edns;
  return {
    id: u16(buf, 0),
    flags: decodeFlags(u16(buf, 2)),
    questions: qd.value,
    answers: an.value,
    authorities: ns.value,
    additionals: ar.value.filter((r) => r.type !== RRType.OPT),
    edns,
  };
}
