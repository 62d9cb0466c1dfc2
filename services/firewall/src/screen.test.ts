import { validateConfig } from '@lanctl/core';
import { formatIpv4 } from '@lanctl/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firewallConfigSchema } from './config.ts';
import { bitmapRange, ipsetScreen, keepAll } from './screen.ts';

const ip = (text: string) => text.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);

describe('bitmapRange', () => {
  it.each([
    ['bitmap:ip range 192.168.0.0/23', '192.168.0.0', '192.168.1.255'],
    ['bitmap:ip range 192.168.0.5/23', '192.168.0.0', '192.168.1.255'], // host bits ignored
    ['bitmap:ip range 10.0.0.5-10.0.0.9 netmask 32', '10.0.0.5', '10.0.0.9'],
    ['bitmap:ip  range  10.0.0.0/32', '10.0.0.0', '10.0.0.0'],
    ['bitmap:ip range 0.0.0.0/0', '0.0.0.0', '255.255.255.255'],
  ])('%s → %s-%s', (type, first, last) => {
    expect(bitmapRange(type)).toEqual({ first: ip(first), last: ip(last) });
  });

  it.each([
    'bitmap:ip',
    'bitmap:ip range',
    'bitmap:ip range 10.0.0.9-10.0.0.5',
    'bitmap:ip range 10.0.0.0/33',
    'bitmap:ip range 10.0.0.256/24',
    'bitmap:ip range 10.0.0.1-10.0.0.2-10.0.0.3',
    'bitmap:ip netmask 24',
  ])('%s → null', (type) => {
    expect(bitmapRange(type)).toBeNull();
  });

  it('any CIDR range contains its own network address and nothing outside the block', () => {
    fc.assert(
      fc.property(fc.nat(0xffffffff), fc.integer({ min: 0, max: 32 }), (value, prefix) => {
        const range = bitmapRange(`bitmap:ip range ${formatIpv4(value)}/${prefix}`);
        expect(range).not.toBeNull();
        expect(range!.first).toBeLessThanOrEqual(value);
        expect(range!.last).toBeGreaterThanOrEqual(value);
        expect(range!.last - range!.first + 1).toBe(2 ** (32 - prefix));
      }),
    );
  });
});

describe('ipsetScreen', () => {
  it('a bitmap set keeps its range and leaves the rest out, with a reason', () => {
    const screen = ipsetScreen('bitmap:ip range 192.168.0.0/23');
    expect(screen(['192.168.0.11', '192.168.2.10', '192.168.1.255', '10.0.0.1'])).toEqual({
      kept: ['192.168.0.11', '192.168.1.255'],
      skipped: [
        {
          ip: '192.168.2.10',
          reason: 'out_of_range',
          detail: "outside the bitmap set's range 192.168.0.0-192.168.1.255",
        },
        {
          ip: '10.0.0.1',
          reason: 'out_of_range',
          detail: "outside the bitmap set's range 192.168.0.0-192.168.1.255",
        },
      ],
    });
  });

  it('a hash set takes any address but the null one', () => {
    const screen = ipsetScreen('hash:ip');
    const { kept, skipped } = screen(['0.0.0.0', '10.0.0.1', '255.255.255.255']);
    expect(kept).toEqual(['10.0.0.1', '255.255.255.255']);
    expect(skipped.map((s) => [s.ip, s.reason])).toEqual([['0.0.0.0', 'null_address']]);
  });

  it('kept and skipped partition the input, order kept', () => {
    const screen = ipsetScreen('bitmap:ip range 10.0.0.0/16');
    fc.assert(
      fc.property(fc.array(fc.nat(0xffffffff).map(formatIpv4)), (addresses) => {
        const { kept, skipped } = screen(addresses);
        expect(kept.length + skipped.length).toBe(addresses.length);
        expect(kept).toEqual(addresses.filter((a) => a.startsWith('10.0.')));
      }),
    );
  });

  it('nftables keeps everything', () => {
    expect(keepAll(['0.0.0.0', '1.2.3.4'])).toEqual({ kept: ['0.0.0.0', '1.2.3.4'], skipped: [] });
  });
});

describe('config: ipset.type', () => {
  const parse = (type: string) =>
    validateConfig('test', firewallConfigSchema, { backend: 'ipset', ipset: { type } });

  it('accepts SADM’s bitmap and a hash', () => {
    expect(parse('bitmap:ip range 192.168.0.0/23').ipset.type).toBe(
      'bitmap:ip range 192.168.0.0/23',
    );
    expect(parse('hash:ip').ipset.type).toBe('hash:ip');
  });

  it('refuses a bitmap without a valid range, and an IPv6 family, naming the field', () => {
    expect(() => parse('bitmap:ip')).toThrow(/ipset\.type.*range/s);
    expect(() => parse('bitmap:ip range 10.0.0.9-10.0.0.1')).toThrow(/ipset\.type/);
    expect(() => parse('hash:ip family inet6')).toThrow(/ipset\.type.*inet6/s);
  });
});
