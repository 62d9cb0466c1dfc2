import type { Group } from '@lanctl/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AllowedInput,
  allowedAddresses,
  contestModeOf,
  type MachineView,
  type SessionView,
} from './allowed.ts';

const machines: (MachineView & { is_faulty?: boolean })[] = [
  { hostname: 'seat1', ip: '10.0.0.11', mtype: 'user' },
  { hostname: 'seat2', ip: '10.0.0.12', mtype: 'user' },
  { hostname: 'seat10', ip: '10.0.0.110', mtype: 'user' },
  { hostname: 'broken', ip: '10.0.0.13', mtype: 'user', is_faulty: true },
  { hostname: 'orgapc', ip: '10.0.1.1', mtype: 'orga' },
  { hostname: 'orgapc2', ip: '10.0.1.2', mtype: 'orga' },
  { hostname: 'noaddr', ip: '', mtype: 'orga' },
  { hostname: 'srv', ip: '10.0.2.1', mtype: 'service' },
];
const users: { login: string; group: Group }[] = [
  { login: 'alice', group: 'user' },
  { login: 'bob', group: 'user' },
  { login: 'olga', group: 'orga' },
  { login: 'rooty', group: 'root' },
];
const ORGA = { '10.0.1.1': 'orga machine orgapc', '10.0.1.2': 'orga machine orgapc2' };
const ALL: Group[] = ['root', 'orga', 'user'];

const cases: [
  what: string,
  sessions: SessionView[],
  contestMode: boolean,
  expected: Record<string, string>,
  allowedGroups?: Group[],
][] = [
  ['nobody logged in: orga machines only', [], false, ORGA],
  [
    'a contestant on a user machine',
    [{ login: 'alice', hostname: 'seat1' }],
    false,
    { '10.0.0.11': 'login alice on seat1', ...ORGA },
  ],
  [
    'contest mode: contestants lose the internet',
    [{ login: 'alice', hostname: 'seat1' }],
    true,
    ORGA,
  ],
  [
    'contest mode: orga and root keep it',
    [
      { login: 'olga', hostname: 'seat2' },
      { login: 'rooty', hostname: 'seat1' },
    ],
    true,
    { '10.0.0.11': 'login rooty on seat1', '10.0.0.12': 'login olga on seat2', ...ORGA },
  ],
  ['a host mdb does not know', [{ login: 'alice', hostname: 'ghost' }], false, ORGA],
  ['a login udb does not know', [{ login: 'mallory', hostname: 'seat1' }], false, ORGA],
  [
    'a faulty machine (ignored, as in SADM)',
    [{ login: 'bob', hostname: 'broken' }],
    false,
    { '10.0.0.13': 'login bob on broken', ...ORGA },
  ],
  [
    'a session on an orga machine is reported by its session',
    [{ login: 'olga', hostname: 'orgapc2' }],
    false,
    { '10.0.1.1': 'orga machine orgapc', '10.0.1.2': 'login olga on orgapc2' },
  ],
  [
    'a group left out of allowed_groups',
    [
      { login: 'alice', hostname: 'seat1' },
      { login: 'olga', hostname: 'seat2' },
    ],
    false,
    { '10.0.0.12': 'login olga on seat2', ...ORGA },
    ['root', 'orga'],
  ],
  [
    'ordered by address, not by text',
    [
      { login: 'bob', hostname: 'seat10' },
      { login: 'alice', hostname: 'seat2' },
    ],
    false,
    { '10.0.0.12': 'login alice on seat2', '10.0.0.110': 'login bob on seat10', ...ORGA },
  ],
];

describe('allowedAddresses', () => {
  it.each(cases)('%s', (_what, sessions, contestMode, expected, allowedGroups = ALL) => {
    const input: AllowedInput = { machines, users, sessions, contestMode, allowedGroups };
    const got = allowedAddresses(input);
    expect(Object.fromEntries(got)).toEqual(expected);
    const order = [...got.keys()].map((ip) =>
      ip
        .split('.')
        .map(Number)
        .reduce((a, b) => a * 256 + b),
    );
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });

  it('allows nothing when no table has anything', () => {
    const input = { machines: [], users: [], sessions: [], contestMode: false, allowedGroups: ALL };
    expect(allowedAddresses(input).size).toBe(0);
  });
});

describe('contestModeOf', () => {
  it.each([
    [[], false],
    [[{ key: 'contest_mode', value: true }], true],
    [[{ key: 'contest_mode', value: false }], false],
    [[{ key: 'contest_mode', value: 'yes' }], false],
    [[{ key: 'allow_self_registration', value: true, enabled_until: null }], false],
  ])('%j → %s', (settings, on) => {
    expect(contestModeOf(settings)).toBe(on);
  });
});

describe('allowedAddresses, properties over arbitrary stream content', () => {
  const name = fc.constantFrom('seat1', 'seat2', 'orgapc', 'ghost', 'x', '');
  const login = fc.constantFrom('alice', 'bob', 'olga', 'nobody', '');
  const group = fc.constantFrom<Group>('user', 'orga', 'root');
  const address = fc.oneof(
    fc.ipV4(),
    fc.constantFrom('', '010.0.0.1', '256.1.1.1', '::1', 'seat1', '1.2.3'),
  );
  const machine = fc.record({
    hostname: name,
    ip: address,
    mtype: fc.constantFrom('user', 'orga', 'service'),
  });
  const input = fc.record({
    machines: fc.array(machine, { maxLength: 8 }),
    users: fc.array(fc.record({ login, group }), { maxLength: 6 }),
    sessions: fc.array(fc.record({ login, hostname: name }), { maxLength: 6 }),
    contestMode: fc.boolean(),
    allowedGroups: fc.subarray<Group>(['root', 'orga', 'user']),
  });

  it('never throws; every address is a valid one of an orga machine or of an allowed session', () => {
    fc.assert(
      fc.property(input, (i) => {
        const got = allowedAddresses(i);
        const groupOf = new Map<string, Group>(i.users.map((u) => [u.login, u.group]));
        for (const [ip, reason] of got) {
          expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
          const login = /^login (\S*) on (.*)$/.exec(reason);
          if (!login) {
            expect(reason).toMatch(/^orga machine /);
            continue;
          }
          const g = groupOf.get(login[1]!);
          expect(g !== undefined && i.allowedGroups.includes(g)).toBe(true);
          if (i.contestMode) expect(g).not.toBe('user');
        }
        // contest mode never adds an address
        const off = allowedAddresses({ ...i, contestMode: false });
        for (const ip of got.keys()) expect(off.has(ip)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
