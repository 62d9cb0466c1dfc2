import { describe, expect, it } from 'vitest';
import {
  buildIpIndex,
  type MachineAddress,
  sessionsByHost,
  unknownOverrideHosts,
  workingStatus,
} from './ip-index.ts';

const machines: MachineAddress[] = [
  { hostname: 'seat1', ip: '10.0.0.1' },
  { hostname: 'seat2', ip: '10.0.0.2' },
  { hostname: 'kiosk', ip: '10.0.0.9' },
  { hostname: 'noaddr', ip: null },
];

const logins = (index: Map<string, { login: string }>) =>
  Object.fromEntries([...index].map(([ip, e]) => [ip, e.login]));

describe('buildIpIndex', () => {
  it('maps each machine address to the login of the session on it', () => {
    const sessions = sessionsByHost([
      { login: 'alice', hostname: 'seat1' },
      { login: 'bob', hostname: 'seat2' },
      { login: 'ghost', hostname: 'not-in-mdb' },
    ]);
    const index = buildIpIndex(machines, sessions, {});
    expect(logins(index)).toEqual({ '10.0.0.1': 'alice', '10.0.0.2': 'bob' });
    expect(index.get('10.0.0.1')).toMatchObject({ hostname: 'seat1', override: false });
  });

  it('builds the answer headers once, with SADM’s status text and no-store', () => {
    const entry = buildIpIndex(machines, new Map([['seat1', 'alice']]), {}).get('10.0.0.1');
    expect(entry?.headers).toEqual([
      'X-SSO-User',
      'alice',
      'X-SSO-Status',
      'working: machine 10.0.0.1 has login alice',
      'Cache-Control',
      'no-store, private',
      'Content-Length',
      '0',
    ]);
    expect(workingStatus('1.2.3.4', 'x')).toBe('working: machine 1.2.3.4 has login x');
  });

  it('lets an override win over presence, only for machines mdb has', () => {
    const sessions = new Map([['seat1', 'alice']]);
    const overrides = { kiosk: 'kiosk_user', seat1: 'orga_laptop', elsewhere: 'nobody' };
    const index = buildIpIndex(machines, sessions, overrides);
    expect(logins(index)).toEqual({ '10.0.0.1': 'orga_laptop', '10.0.0.9': 'kiosk_user' });
    expect(index.get('10.0.0.9')?.override).toBe(true);
    expect(unknownOverrideHosts(machines, overrides)).toEqual(['elsewhere']);
  });

  it('follows a machine whose address changed: the old address is forgotten', () => {
    const sessions = new Map([['seat1', 'alice']]);
    const before = buildIpIndex(machines, sessions, {});
    const moved = machines.map((m) => (m.hostname === 'seat1' ? { ...m, ip: '10.0.1.1' } : m));
    const after = buildIpIndex(moved, sessions, {});
    expect(logins(before)).toEqual({ '10.0.0.1': 'alice' });
    expect(logins(after)).toEqual({ '10.0.1.1': 'alice' });
    expect(after.get('10.0.1.1')?.headers[3]).toBe('working: machine 10.0.1.1 has login alice');
  });

  it('drops the login of a machine whose session ended (presence delete)', () => {
    const index = buildIpIndex(machines, sessionsByHost([{ login: 'bob', hostname: 'seat2' }]), {});
    expect(logins(index)).toEqual({ '10.0.0.2': 'bob' });
    expect(buildIpIndex(machines, sessionsByHost([]), {}).size).toBe(0);
  });

  it('skips machines without an address, and a removed override takes effect', () => {
    expect(buildIpIndex(machines, new Map([['noaddr', 'alice']]), {}).size).toBe(0);
    const withOverride = buildIpIndex(machines, new Map(), { kiosk: 'k' });
    expect(withOverride.size).toBe(1);
    expect(buildIpIndex(machines, new Map(), {}).size).toBe(0);
  });

  it('ignores inherited names in overrides', () => {
    const index = buildIpIndex([{ hostname: 'constructor', ip: '10.0.0.7' }], new Map(), {});
    expect(index.size).toBe(0);
  });
});
