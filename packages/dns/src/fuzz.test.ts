import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode } from './decode.ts';
import { encode } from './encode.ts';
import { emptyFlags, isDecodeError, RRType } from './message.ts';
import { parseQuery } from './quick.ts';

/** A response with compression, EDNS and every section: the seed of the mutations. */
const SEED = encode({
  id: 0x1a2b,
  flags: { ...emptyFlags(), qr: true, aa: true, rd: true },
  questions: [{ name: 'pc1.prolo.', type: RRType.A, class: 1 }],
  answers: [
    {
      name: 'pc1.prolo.',
      type: RRType.A,
      class: 1,
      ttl: 10,
      data: { kind: 'a', address: '192.168.0.10' },
    },
    {
      name: 'pc1.prolo.',
      type: RRType.AAAA,
      class: 1,
      ttl: 10,
      data: { kind: 'aaaa', address: 'fe80::1' },
    },
    {
      name: 'pc1.prolo.',
      type: RRType.TXT,
      class: 1,
      ttl: 10,
      data: { kind: 'txt', strings: ['ab'] },
    },
  ],
  authorities: [
    {
      name: 'prolo.',
      type: RRType.SOA,
      class: 1,
      ttl: 10,
      data: {
        kind: 'soa',
        mname: 'ns.prolo.',
        rname: 'hostmaster.ns.prolo.',
        serial: 1,
        refresh: 2,
        retry: 3,
        expire: 4,
        minimum: 5,
      },
    },
  ],
  additionals: [
    {
      name: 'ns.prolo.',
      type: RRType.CNAME,
      class: 1,
      ttl: 10,
      data: { kind: 'name', name: 'gw.prolo.' },
    },
  ],
  edns: {
    udpSize: 1232,
    extendedRcode: 0,
    version: 0,
    do: true,
    flags: 0,
    options: [{ code: 10, data: Uint8Array.of(1, 2) }],
  },
});

/** Never throws; and whatever decodes re-encodes to something that decodes the same. */
function check(bytes: Uint8Array): void {
  const m = decode(bytes);
  parseQuery(bytes);
  if (!isDecodeError(m)) expect(decode(encode(m))).toEqual(m);
}

describe('fuzz: decode and parseQuery never throw', () => {
  it('seed decodes', () => {
    expect(isDecodeError(decode(SEED))).toBe(false);
  });

  it('50,000 random inputs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (b) => check(b)),
      { numRuns: 50_000 },
    );
  });

  it('60,000 mutations of a valid message', () => {
    const mutation = fc.array(fc.tuple(fc.nat(SEED.length - 1), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 4,
    });
    const cut = fc.option(fc.nat(SEED.length));
    fc.assert(
      fc.property(mutation, cut, (changes, len) => {
        const b = SEED.slice(0, len ?? SEED.length);
        for (const [at, v] of changes) if (at < b.length) b[at] = v;
        check(b);
      }),
      { numRuns: 60_000 },
    );
  });
});
