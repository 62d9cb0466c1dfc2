import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode } from './decode.ts';
import { encode } from './encode.ts';
import {
  type DnsMessage,
  type DnsRecord,
  emptyFlags,
  isDecodeError,
  type RData,
  RRType,
} from './message.ts';
import { parseQuery, patchResponse, udpLimit } from './quick.ts';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));

/** `dig pc1.prolo A` with EDNS (udp 1232, a COOKIE option) as captured from dig 9.18. */
const DIG_QUERY = hex(`
  1a2b 0120 0001 0000 0000 0001
  03 504331 05 70726f6c6f 00 0001 0001
  00 0029 04d0 00 00 0000 000c 000a 0008 0102030405060708`);

const rec = (name: string, type: number, data: DnsRecord['data']): DnsRecord => ({
  name,
  type,
  class: 1,
  ttl: 10,
  data,
});

function sample(): DnsMessage {
  return {
    id: 4242,
    flags: { ...emptyFlags(), qr: true, aa: true, rd: true },
    questions: [{ name: 'pc1.prolo.', type: RRType.A, class: 1 }],
    answers: [
      rec('pc1.prolo.', RRType.A, { kind: 'a', address: '192.168.0.10' }),
      rec('pc1.prolo.', RRType.AAAA, { kind: 'aaaa', address: '2001:db8::1' }),
      rec('web.prolo.', RRType.CNAME, { kind: 'name', name: 'pc1.prolo.' }),
      rec('pc1.prolo.', RRType.TXT, { kind: 'txt', strings: ['hello', ''] }),
      rec('pc1.prolo.', 99, { kind: 'raw', bytes: Uint8Array.from([1, 2, 3]) }),
    ],
    authorities: [
      rec('prolo.', RRType.SOA, {
        kind: 'soa',
        mname: 'ns.prolo.',
        rname: 'hostmaster.ns.prolo.',
        serial: 2026112200,
        refresh: 1200,
        retry: 60,
        expire: 360000,
        minimum: 10,
      }),
      rec('prolo.', RRType.NS, { kind: 'name', name: 'ns.prolo.' }),
    ],
    additionals: [
      rec('10.0.168.192.in-addr.arpa.', RRType.PTR, { kind: 'name', name: 'pc1.prolo.' }),
    ],
    edns: {
      udpSize: 1232,
      extendedRcode: 0,
      version: 0,
      do: true,
      flags: 0,
      options: [{ code: 10, data: Uint8Array.from([9, 9]) }],
    },
  };
}

describe('decode/encode', () => {
  it('round-trips every supported type, OPT with DO and options', () => {
    const bytes = encode(sample());
    expect(decode(bytes)).toEqual(sample());
  });

  it('compresses names', () => {
    const bytes = encode(sample());
    const text = Buffer.from(bytes).toString('latin1');
    expect(text.split('prolo').length - 1).toBe(1);
  });

  it("decodes dig's query", () => {
    const m = decode(DIG_QUERY);
    if (isDecodeError(m)) throw new Error(m.message);
    expect(m.questions).toEqual([{ name: 'PC1.prolo.', type: 1, class: 1 }]);
    expect(m.flags.rd).toBe(true);
    expect(m.flags.ad).toBe(true);
    expect(m.edns).toMatchObject({ udpSize: 1232, do: false, version: 0, options: [{ code: 10 }] });
  });

  it('rejects pointer loops, forward pointers, long names and truncation', () => {
    const header = '0001 0000 0001 0000 0000 0000';
    expect(decode(hex(`${header} c00c 0001 0001`))).toMatchObject({ reason: 'bad-pointer' });
    expect(decode(hex(`${header} c00e 0001 0001 00`))).toMatchObject({ reason: 'bad-pointer' });
    const long = '3f'.concat('61'.repeat(63)).repeat(5);
    expect(decode(hex(`${header} ${long} 00 0001 0001`))).toMatchObject({
      reason: 'name-too-long',
    });
    expect(decode(hex(`${header} 03 6162`))).toMatchObject({ reason: 'truncated' });
    expect(decode(hex('0001 0000'))).toMatchObject({ reason: 'too-short' });
    expect(decode(hex(`${header} 00 0001 0001 ff`))).toMatchObject({ reason: 'trailing-bytes' });
    expect(decode(hex(`${header} 80 0001 0001`))).toMatchObject({ reason: 'bad-label-type' });
  });

  it('names the field of an unencodable message', () => {
    const m = sample();
    m.answers[0] = rec('x.', RRType.A, { kind: 'a', address: '1.2.3' });
    expect(() => encode(m)).toThrow('answers.0.data.address');
  });
});

describe('quick path', () => {
  it("parses dig's query like decode does, lower-casing the name", () => {
    expect(parseQuery(DIG_QUERY)).toEqual({
      id: 0x1a2b,
      flags: 0x0120,
      qname: 'pc1.prolo.',
      qtype: 1,
      qclass: 1,
      questionEnd: 12 + 11 + 4,
      edns: { udpSize: 1232, do: false, version: 0 },
    });
  });

  it('patches id, RD, question case and OPT into a template; truncates what does not fit', () => {
    const q = parseQuery(DIG_QUERY);
    if (!q) throw new Error('no query');
    const template = encode({
      ...sample(),
      id: 0,
      flags: { ...emptyFlags(), qr: true, aa: true },
      edns: null,
    });
    const out = decode(
      patchResponse(template, DIG_QUERY, q, { limit: udpLimit(q, 1232), udpSize: 1232 }),
    );
    if (isDecodeError(out)) throw new Error(out.message);
    expect(out.id).toBe(0x1a2b);
    expect(out.flags).toMatchObject({ qr: true, aa: true, rd: true, tc: false, ad: false });
    expect(out.questions[0]?.name).toBe('PC1.prolo.');
    expect(out.answers).toHaveLength(5);
    expect(out.edns).toMatchObject({ udpSize: 1232, do: false });
    const cut = decode(patchResponse(template, DIG_QUERY, q, { limit: 100, udpSize: 1232 }));
    if (isDecodeError(cut)) throw new Error(cut.message);
    expect(cut.flags.tc).toBe(true);
    expect(cut.answers).toEqual([]);
    expect(cut.additionals).toEqual([]);
    expect(cut.questions).toHaveLength(1);
    expect(cut.edns).not.toBeNull();
  });
});

const label = fc.stringMatching(/^[a-zA-Z0-9_-]{1,20}$/);
const name = fc
  .array(label, { minLength: 0, maxLength: 4 })
  .map((ls) => (ls.length ? `${ls.join('.')}.` : '.'));
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const rdata = fc.oneof(
  fc.tuple(
    fc.constant(RRType.A),
    fc.ipV4().map((address) => ({ kind: 'a' as const, address })),
  ),
  fc.tuple(
    fc.constantFrom(RRType.NS, RRType.PTR, RRType.CNAME),
    name.map((n) => ({ kind: 'name' as const, name: n })),
  ),
  fc.tuple(
    fc.constant(RRType.SOA),
    fc.record({
      kind: fc.constant('soa' as const),
      mname: name,
      rname: name,
      serial: u32,
      refresh: u32,
      retry: u32,
      expire: u32,
      minimum: u32,
    }),
  ),
  fc.tuple(
    fc.constant(RRType.TXT),
    fc
      .array(
        fc
          .string({ maxLength: 30 })
          .map((s) => [...s].map((c) => (c.charCodeAt(0) > 255 ? '?' : c)).join('')),
        { maxLength: 3 },
      )
      .map((strings) => ({ kind: 'txt' as const, strings })),
  ),
  fc.tuple(
    fc.constant(4242),
    fc.uint8Array({ maxLength: 20 }).map((bytes) => ({ kind: 'raw' as const, bytes })),
  ),
);
const record = fc.record({ name, rd: rdata, class: u16, ttl: u32 }).map(
  ({ name: n, rd, class: c, ttl }): DnsRecord => ({
    name: n,
    type: (rd as [number, RData])[0],
    class: c,
    ttl,
    data: (rd as [number, RData])[1],
  }),
);
const message: fc.Arbitrary<DnsMessage> = fc.record({
  id: u16,
  flags: fc.record({
    qr: fc.boolean(),
    opcode: fc.integer({ min: 0, max: 15 }),
    aa: fc.boolean(),
    tc: fc.boolean(),
    rd: fc.boolean(),
    ra: fc.boolean(),
    z: fc.boolean(),
    ad: fc.boolean(),
    cd: fc.boolean(),
    rcode: fc.integer({ min: 0, max: 15 }),
  }),
  questions: fc.array(fc.record({ name, type: u16.filter((t) => t !== RRType.OPT), class: u16 }), {
    maxLength: 2,
  }),
  answers: fc.array(record, { maxLength: 4 }),
  authorities: fc.array(record, { maxLength: 2 }),
  additionals: fc.array(record, { maxLength: 2 }),
  edns: fc.option(
    fc.record({
      udpSize: u16,
      extendedRcode: fc.integer({ min: 0, max: 255 }),
      version: fc.integer({ min: 0, max: 255 }),
      do: fc.boolean(),
      flags: fc.integer({ min: 0, max: 0x7fff }),
      options: fc.array(fc.record({ code: u16, data: fc.uint8Array({ maxLength: 8 }) }), {
        maxLength: 2,
      }),
    }),
  ),
});

describe('properties', () => {
  it('decode(encode(m)) equals m', () => {
    fc.assert(
      fc.property(message, (m) => {
        expect(decode(encode(m))).toEqual(m);
      }),
      { numRuns: 2000 },
    );
  });

  it('parseQuery agrees with decode on single-question queries', () => {
    const query = message.map((m) => ({
      ...m,
      flags: { ...m.flags, qr: false },
      questions: [{ name: 'Pc1.Prolo.', type: 1, class: 1 }],
      answers: [],
      authorities: [],
      additionals: [],
    }));
    fc.assert(
      fc.property(query, (m) => {
        const q = parseQuery(encode(m));
        expect(q).toMatchObject({ id: m.id, qname: 'pc1.prolo.', qtype: 1, qclass: 1 });
        expect(q?.edns?.udpSize).toBe(m.edns?.udpSize);
      }),
      { numRuns: 500 },
    );
  });
});
