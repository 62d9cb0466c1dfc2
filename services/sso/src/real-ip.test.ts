import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyRealIp, realIpOf } from './real-ip.ts';

describe('classifyRealIp', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1'],
    ['255.255.255.255', '255.255.255.255'],
    ['::1', '::1'],
    ['FE80::1', 'fe80::1'],
    ['::ffff:192.168.1.5', '192.168.1.5'],
    ['::FFFF:10.0.0.1', '10.0.0.1'],
  ])('accepts %s as %s', (value, ip) => {
    expect(classifyRealIp(value)).toEqual({ ok: true, ip });
  });

  it('names the header when it is missing', () => {
    for (const value of [undefined, '']) {
      const r = classifyRealIp(value);
      expect(r).toMatchObject({ ok: false, problem: 'missing' });
      if (!r.ok) expect(r.message).toMatch(/^X-Real-IP: missing header/);
    }
  });

  it.each([
    '10.0.0.01',
    '256.1.1.1',
    '10.0.0',
    '10.0.0.1, 10.0.0.2',
    'localhost',
    ' 10.0.0.1',
    '10.0.0.1\r\nX-SSO-User: root',
    '1.2.3.4/24',
    `${'1'.repeat(100)}`,
  ])('refuses %j, naming the header', (value) => {
    const r = classifyRealIp(value);
    expect(r).toMatchObject({ ok: false, problem: 'invalid' });
    if (!r.ok) expect(r.message).toMatch(/^X-Real-IP: expected one IPv4 or IPv6 address/);
  });

  it('never throws, and what it accepts is a plain address (fuzz)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.ipV4(), fc.ipV6(), fc.ipV4Extended()), (value) => {
        const r = classifyRealIp(value);
        if (r.ok) {
          expect(r.ip).toMatch(/^[0-9a-f.:]+$/);
          expect(r.ip.length).toBeLessThanOrEqual(45);
        } else expect(r.message.length).toBeLessThan(200);
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts every dotted quad as itself (property)', () => {
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(classifyRealIp(ip)).toEqual({ ok: true, ip });
      }),
    );
  });
});

describe('realIpOf', () => {
  it('finds the header in any case, and joins repeats as node does', () => {
    expect(realIpOf(['Host', 'x', 'X-Real-IP', '10.0.0.1'])).toBe('10.0.0.1');
    expect(realIpOf(['x-real-ip', '10.0.0.2'])).toBe('10.0.0.2');
    expect(realIpOf(['X-REAL-IP', '1.1.1.1', 'x-real-ip', '2.2.2.2'])).toBe('1.1.1.1, 2.2.2.2');
    expect(realIpOf(['X-Real-IPs', '1.1.1.1', 'X-Forwarded-For', '3.3.3.3'])).toBeUndefined();
  });
});
