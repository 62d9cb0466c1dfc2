import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CAPTURED } from './captured.test-data.ts';
import { decode, OPTION_OVERLOAD, peekMessageType } from './decode.ts';
import { encode } from './encode.ts';
import { FIXTURES } from './fixtures.test-data.ts';
import {
  DecodeError,
  type DhcpMessage,
  emptyMessage,
  isDecodeError,
  MAGIC_COOKIE,
} from './message.ts';
import { ipBytes, Option, readIpList, readString, stringBytes, u8Bytes } from './options.ts';

const ipArb = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const latin1 = (max: number) =>
  fc
    .uint8Array({ minLength: 0, maxLength: max })
    .map((b) => Buffer.from(b.filter((x) => x !== 0)).toString('latin1'));
const optionCode = fc.integer({ min: 1, max: 254 }).filter((c) => c !== OPTION_OVERLOAD);

export const messageArb: fc.Arbitrary<DhcpMessage> = fc.record({
  op: fc.constantFrom(1, 2),
  htype: fc.nat(255),
  hlen: fc.nat(16),
  hops: fc.nat(255),
  xid: fc.nat(0xffffffff),
  secs: fc.nat(0xffff),
  flags: fc.nat(0xffff),
  ciaddr: ipArb,
  yiaddr: ipArb,
  siaddr: ipArb,
  giaddr: ipArb,
  chaddr: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b)),
  sname: latin1(64),
  file: latin1(128),
  options: fc
    .uniqueArray(fc.tuple(optionCode, fc.uint8Array({ maxLength: 600 })), {
      selector: ([code]) => code,
      maxLength: 12,
    })
    .map((entries) => new Map(entries.map(([c, v]) => [c, Buffer.from(v)]))),
});

describe('encode ∘ decode', () => {
  it('round-trips any message (long options split and joined back, RFC 3396)', () => {
    fc.assert(
      fc.property(messageArb, (m) => {
        expect(decode(encode(m))).toEqual(m);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps within maxSize through option overload, dropping only whole options', () => {
    fc.assert(
      fc.property(messageArb, (m) => {
        const small = { ...m, sname: '', file: '', options: new Map<number, Buffer>() };
        for (const [c, v] of m.options) small.options.set(c, v.subarray(0, 100));
        const bytes = encode(small, { maxSize: 576 });
        expect(bytes.length).toBeLessThanOrEqual(576);
        const back = decode(bytes) as DhcpMessage;
        expect({ ...back, options: null }).toEqual({ ...small, options: null });
        for (const [c, v] of back.options) expect(v).toEqual(small.options.get(c));
      }),
      { numRuns: 200 },
    );
  });

  it('spills into file then sname with option 52', () => {
    const m = emptyMessage(2);
    for (const [code, size] of [
      [100, 120],
      [101, 120],
      [102, 100],
      [103, 50],
    ] as const) {
      m.options.set(code, Buffer.alloc(size, code));
    }
    const bytes = encode(m, { maxSize: 576 });
    expect(bytes.length).toBeLessThanOrEqual(576);
    expect(bytes.subarray(240, 243)).toEqual(Buffer.from([OPTION_OVERLOAD, 1, 3]));
    expect(decode(bytes)).toEqual(m);
  });
});

describe('decode', () => {
  const valid = () => {
    const m = emptyMessage();
    m.options.set(Option.MESSAGE_TYPE, u8Bytes(1));
    m.options.set(Option.DNS_SERVERS, ipBytes('10.0.0.1', '10.0.0.2'));
    m.options.set(Option.HOST_NAME, stringBytes('pas-r01p01\0'));
    return encode(m);
  };

  it('reads typed options', () => {
    const m = decode(valid()) as DhcpMessage;
    expect(readIpList(m, Option.DNS_SERVERS)).toEqual(['10.0.0.1', '10.0.0.2']);
    expect(readString(m, Option.HOST_NAME)).toBe('pas-r01p01');
  });

  it('rejects what is not DHCP with a reason', () => {
    expect(decode(Buffer.alloc(10))).toMatchObject({ reason: 'too-short' });
    const noCookie = valid();
    noCookie.writeUInt32BE(0, 236);
    expect(decode(noCookie)).toMatchObject({ reason: 'no-magic-cookie' });
    const badHlen = valid();
    badHlen[2] = 17;
    expect(decode(badHlen)).toMatchObject({ reason: 'bad-hlen' });
    const truncated = valid().subarray(0, 250);
    expect(decode(truncated)).toMatchObject({ reason: 'truncated-option' });
    const badOverload = Buffer.concat([valid().subarray(0, 240), Buffer.from([52, 1, 7, 255])]);
    expect(decode(badOverload)).toMatchObject({ reason: 'bad-overload' });
  });

  it('accepts a missing END and pads', () => {
    const head = valid().subarray(0, 240);
    const m = decode(Buffer.concat([head, Buffer.from([0, 0, 53, 1, 3])])) as DhcpMessage;
    expect(m.options.get(53)).toEqual(Buffer.from([3]));
  });

  it('never throws on arbitrary or mutated bytes (100k inputs)', () => {
    const seeds = [
      valid(),
      encode({ ...emptyMessage(), options: new Map([[43, Buffer.alloc(300)]]) }),
      ...Object.values(FIXTURES),
      ...Object.values(CAPTURED).map((hex) => Buffer.from(hex, 'hex')),
    ];
    let decoded = 0;
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let i = 0; i < 100_000; i++) {
      let input: Buffer;
      if (i % 4 === 0) {
        input = Buffer.alloc(rand() % 600);
        for (let j = 0; j < input.length; j++) input[j] = rand() & 255;
        if (input.length >= 240 && i % 8 === 0) input.writeUInt32BE(MAGIC_COOKIE, 236);
      } else {
        const base = seeds[i % seeds.length]!;
        input = Buffer.from(
          base.subarray(0, i % 3 === 0 ? rand() % (base.length + 1) : base.length),
        );
        const flips = 1 + (rand() % 4);
        for (let f = 0; f < flips && input.length > 240; f++) {
          input[240 + (rand() % (input.length - 240))] = rand() & 255;
        }
      }
      const result = decode(input);
      if (!isDecodeError(result)) decoded++;
      else expect(result).toBeInstanceOf(DecodeError);
    }
    expect(decoded).toBeGreaterThan(0);
  });

  it('never throws on fast-check byte arrays', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), (bytes) => {
        const b = Buffer.from(bytes);
        if (b.length >= 240) b.writeUInt32BE(MAGIC_COOKIE, 236);
        decode(b);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('peekMessageType', () => {
  const typeOf = (bytes: Uint8Array) => {
    const m = decode(bytes);
    return isDecodeError(m) || m.op !== 1 ? null : (m.options.get(53)?.[0] ?? null);
  };

  it('reads option 53 of captured requests without decoding', () => {
    for (const hex of Object.values(CAPTURED))
      expect(peekMessageType(Buffer.from(hex, 'hex'))).toBe(1);
  });

  it('agrees with decode whenever it answers, and never throws (100k inputs)', () => {
    const seeds = Object.values(CAPTURED).map((hex) => Buffer.from(hex, 'hex'));
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds),
        fc.array(fc.tuple(fc.nat(400), fc.nat(255)), { maxLength: 4 }),
        fc.nat(400),
        (seed, edits, cut) => {
          const bytes = Buffer.from(seed.subarray(0, Math.max(cut, 200)));
          for (const [at, value] of edits) if (at < bytes.length) bytes[at] = value;
          const peeked = peekMessageType(bytes);
          if (peeked !== null && typeOf(bytes) !== null) expect(peeked).toBe(typeOf(bytes));
        },
      ),
      { numRuns: 100_000 },
    );
  });
});
