import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cidrContains,
  cidrSchema,
  formatCidr,
  formatIpv4,
  hostRange,
  ipv4Schema,
  parseCidr,
  parseIpv4,
} from './ipv4.ts';

const MAX = 2 ** 32 - 1;
const u32 = fc.integer({ min: 0, max: MAX });
/** Network address of `ip` for a prefix, as an unsigned integer. */
const networkOf = (ip: number, prefix: number) => ip - (ip % 2 ** (32 - prefix));

describe('parseIpv4 / formatIpv4', () => {
  it.each([
    ['0.0.0.0', 0],
    ['0.0.0.1', 1],
    ['192.168.0.12', 0xc0a8000c],
    ['10.0.0.255', 0x0a0000ff],
    ['127.0.0.1', 0x7f000001],
    ['255.255.255.255', MAX],
    ['128.0.0.0', 2 ** 31],
  ])('%s is %d', (text, value) => {
    expect(parseIpv4(text)).toBe(value);
    expect(formatIpv4(value)).toBe(text);
  });

  it.each([
    '',
    '1.2.3',
    '1.2.3.4.5',
    '1.2.3.4.',
    '.1.2.3.4',
    '1..2.3',
    '256.0.0.0',
    '1.2.3.256',
    '1.2.3.999',
    '01.2.3.4',
    '1.2.3.04',
    '1.2.3.00',
    '00.0.0.0',
    '1.2.3.-1',
    '1.2.3.+4',
    '1.2.3.4 ',
    ' 1.2.3.4',
    '1.2.3.4\n',
    '1.2.3.4/24',
    '0x1.2.3.4',
    '1.2.3.4e0',
    '1,2,3,4',
    '\u0661.2.3.4',
    '\uff11.2.3.4',
    '1.2.3.4\u0000',
    '::1',
    '::ffff:1.2.3.4',
    '4294967295',
  ])('rejects %j', (text) => {
    expect(parseIpv4(text)).toBeNull();
    expect(ipv4Schema.safeParse(text).success).toBe(false);
  });

  it('round-trips every 32-bit unsigned integer', () => {
    fc.assert(
      fc.property(u32, (n) => {
        const text = formatIpv4(n);
        expect(text).toMatch(/^\d{1,3}(\.\d{1,3}){3}$/);
        expect(parseIpv4(text)).toBe(n);
      }),
      { numRuns: 5000, examples: [[0], [1], [255], [256], [2 ** 31 - 1], [2 ** 31], [MAX]] },
    );
  });

  it('round-trips every dotted quad without leading zeros', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }),
        (o) => {
          const text = o.join('.');
          expect(formatIpv4(parseIpv4(text)!)).toBe(text);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('never throws on random strings, and anything accepted formats back identically', () => {
    const dotted = fc
      .array(fc.constantFrom(...'0123456789.. -x'), { maxLength: 18 })
      .map((c) => c.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 20 }), dotted), (text) => {
        const n = parseIpv4(text);
        if (n !== null) {
          expect(Number.isInteger(n) && n >= 0 && n <= MAX).toBe(true);
          expect(formatIpv4(n)).toBe(text);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('parseCidr', () => {
  it.each([
    ['0.0.0.0/0', 0, 0, MAX],
    ['10.0.0.0/8', 8, 0x0a000000, 0x0affffff],
    ['172.16.0.0/12', 12, 0xac100000, 0xac1fffff],
    ['192.168.0.0/16', 16, 0xc0a80000, 0xc0a8ffff],
    ['192.168.1.0/24', 24, 0xc0a80100, 0xc0a801ff],
    ['192.168.1.128/25', 25, 0xc0a80180, 0xc0a801ff],
    ['192.168.1.4/30', 30, 0xc0a80104, 0xc0a80107],
    ['192.168.1.4/31', 31, 0xc0a80104, 0xc0a80105],
    ['192.168.1.5/32', 32, 0xc0a80105, 0xc0a80105],
    ['255.255.255.255/32', 32, MAX, MAX],
  ])('%s', (text, prefix, network, broadcast) => {
    expect(parseCidr(text)).toEqual({ prefix, network, broadcast });
    expect(formatCidr(parseCidr(text)!)).toBe(text);
    expect(cidrSchema.safeParse(text).success).toBe(true);
  });

  it.each([
    ['10.0.0.1/8', 'host bits set'],
    ['192.168.1.1/24', 'host bits set'],
    ['192.168.1.5/31', 'host bits set'],
    ['1.0.0.0/0', 'host bits set for /0'],
    ['10.0.0.0/33', 'prefix too long'],
    ['10.0.0.0/99', 'prefix too long'],
    ['10.0.0.0/100', 'three-digit prefix'],
    ['10.0.0.0', 'no prefix'],
    ['10.0.0.0/', 'empty prefix'],
    ['/8', 'no address'],
    ['10.0.0.0/8/8', 'two prefixes'],
    ['10.0.0.0/-1', 'negative prefix'],
    ['10.0.0.0/+8', 'signed prefix'],
    ['10.0.0.0/ 8', 'space'],
    ['10.0.0.0/8 ', 'trailing space'],
    ['10.0.0.0/8\n', 'trailing newline'],
    ['10.0.0/8', 'three octets'],
    ['010.0.0.0/8', 'leading zero in the address'],
    ['256.0.0.0/8', 'octet out of range'],
    ['', 'empty'],
  ])('rejects %j (%s)', (text) => {
    expect(parseCidr(text)).toBeNull();
    expect(cidrSchema.safeParse(text).success).toBe(false);
  });

  it('accepts exactly the network addresses of every prefix 0..32', () => {
    fc.assert(
      fc.property(u32, fc.integer({ min: 0, max: 32 }), (ip, prefix) => {
        const network = networkOf(ip, prefix);
        const parsed = parseCidr(`${formatIpv4(network)}/${prefix}`);
        expect(parsed).toEqual({ network, prefix, broadcast: network + 2 ** (32 - prefix) - 1 });
        expect(cidrContains(parsed!, ip)).toBe(true);
        if (ip !== network) expect(parseCidr(`${formatIpv4(ip)}/${prefix}`)).toBeNull();
      }),
      { numRuns: 3000 },
    );
  });
});

describe('hostRange', () => {
  const range = (text: string) => {
    const r = hostRange(parseCidr(text)!);
    return [formatIpv4(r.first), formatIpv4(r.last)];
  };

  it('excludes network and broadcast addresses up to /30', () => {
    expect(range('192.168.0.0/24')).toEqual(['192.168.0.1', '192.168.0.254']);
    expect(range('10.1.0.0/16')).toEqual(['10.1.0.1', '10.1.255.254']);
    expect(range('10.0.0.4/30')).toEqual(['10.0.0.5', '10.0.0.6']);
  });

  it('uses both addresses of a /31 and the single one of a /32', () => {
    expect(range('10.0.0.4/31')).toEqual(['10.0.0.4', '10.0.0.5']);
    expect(range('10.0.0.7/32')).toEqual(['10.0.0.7', '10.0.0.7']);
  });

  it('stays inside the network for every prefix', () => {
    fc.assert(
      fc.property(u32, fc.integer({ min: 0, max: 32 }), (ip, prefix) => {
        const cidr = parseCidr(`${formatIpv4(networkOf(ip, prefix))}/${prefix}`)!;
        const { first, last } = hostRange(cidr);
        expect(cidrContains(cidr, first) && cidrContains(cidr, last)).toBe(true);
        expect(last - first + 1).toBe(prefix >= 31 ? 2 ** (32 - prefix) : 2 ** (32 - prefix) - 2);
      }),
      { numRuns: 500 },
    );
  });
});

describe('cidrContains', () => {
  it('is inclusive at both ends', () => {
    const cidr = parseCidr('192.168.0.0/24')!;
    expect(cidrContains(cidr, parseIpv4('192.168.0.0')!)).toBe(true);
    expect(cidrContains(cidr, parseIpv4('192.168.0.255')!)).toBe(true);
    expect(cidrContains(cidr, parseIpv4('192.168.1.0')!)).toBe(false);
    expect(cidrContains(cidr, parseIpv4('192.167.255.255')!)).toBe(false);
  });
});
