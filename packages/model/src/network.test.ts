import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatIpv4 } from './ipv4.ts';
import { poolCreateSchema, reservedEntrySchema, switchCreateSchema } from './network.ts';

describe('reservedEntrySchema', () => {
  it.each([
    '192.168.0.1',
    '192.168.0.240-192.168.0.250',
    '192.168.0.5-192.168.0.5',
    '0.0.0.0-255.255.255.255',
    '10.0.0.255-10.0.1.0',
  ])('accepts %j', (entry) => {
    expect(reservedEntrySchema.safeParse(entry).success).toBe(true);
  });

  it.each([
    '',
    '-',
    '192.168.0.1-',
    '-192.168.0.1',
    '192.168.0.250-192.168.0.240',
    '192.168.0.1-192.168.0.2-192.168.0.3',
    '192.168.0.1 - 192.168.0.2',
    '192.168.0.1..192.168.0.2',
    '192.168.0.0/24',
    '192.168.0.01',
    '192.168.0.256',
    '192.168.0.1\u0000',
  ])('rejects %j', (entry) => {
    expect(reservedEntrySchema.safeParse(entry).success).toBe(false);
  });

  it('accepts exactly the ascending ranges', () => {
    const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
    fc.assert(
      fc.property(u32, u32, (a, b) => {
        const ok = reservedEntrySchema.safeParse(`${formatIpv4(a)}-${formatIpv4(b)}`).success;
        expect(ok).toBe(a <= b);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('poolCreateSchema', () => {
  it('defaults reserved to [] and rejects a network with host bits', () => {
    expect(poolCreateSchema.parse({ name: 'User', network: '10.0.0.0/24' })).toEqual({
      name: 'user',
      network: '10.0.0.0/24',
      reserved: [],
    });
    const bad = poolCreateSchema.safeParse({ name: 'user', network: '10.0.0.1/24' });
    expect(bad.error?.issues[0]?.path).toEqual(['network']);
  });

  it('names the bad reserved entry by index', () => {
    const result = poolCreateSchema.safeParse({
      name: 'user',
      network: '10.0.0.0/24',
      reserved: ['10.0.0.1', '10.0.0.9-10.0.0.3'],
    });
    expect(result.error?.issues[0]?.path).toEqual(['reserved', 1]);
  });
});

describe('switchCreateSchema', () => {
  it('normalizes the chassis MAC and rejects unknown fields', () => {
    expect(switchCreateSchema.parse({ name: 'sw1', chassis: 'AABB.CCDD.EEFF' })).toEqual({
      name: 'sw1',
      chassis: 'aa:bb:cc:dd:ee:ff',
      room: 'other',
      rfs: 0,
      hfs: 0,
    });
    expect(
      switchCreateSchema.safeParse({ name: 'sw1', chassis: 'aabb.ccdd.eeff', x: 1 }).success,
    ).toBe(false);
  });
});
