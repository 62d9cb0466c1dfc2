import type { Group, Room } from '@lanctl/model';
import { machineRecord } from '@lanctl/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildUsermap, OTHER_ROOM } from './model.ts';

const room = (name: string, fields: Partial<Room> = {}): Room => ({
  name,
  description: '',
  hostname_pattern: null,
  seats_per_row: null,
  ...fields,
});
const pc = (hostname: string, room = 'pasteur', fields = {}) =>
  machineRecord({ hostname, ip: '192.168.1.1', room, ...fields });
const groups: Record<string, Group> = { alice: 'user', olga: 'orga', root: 'root' };
const groupOf = (login: string) => groups[login];
const none = new Set<string>();

describe('buildUsermap', () => {
  it('shows who sits where, with the group; free, faulty and unreachable seats', () => {
    const model = buildUsermap(
      [
        pc('a1'),
        pc('a2'),
        pc('a3', 'pasteur', { is_faulty: true, is_faulty_details: 'no screen' }),
        pc('a4'),
        pc('a5'),
      ],
      [room('pasteur')],
      new Map([
        ['a1', 'alice'],
        ['a5', 'ghost'],
      ]),
      groupOf,
      new Set(['a4']),
    );
    expect(model.rooms.map((r) => r.seats)).toEqual([
      [
        { hostname: 'a1', state: 'taken', login: 'alice', group: 'user' },
        { hostname: 'a2', state: 'free' },
        { hostname: 'a3', state: 'faulty', faulty_reason: 'no screen' },
        { hostname: 'a4', state: 'unreachable' },
        { hostname: 'a5', state: 'taken', login: 'ghost' },
      ],
    ]);
    expect(model.totals).toEqual({ taken: 2, free: 1, faulty: 1, unreachable: 1 });
  });

  it('taken beats faulty and unreachable (heartbeats prove it up); faulty beats unreachable', () => {
    const model = buildUsermap(
      [
        pc('a1', 'pasteur', { is_faulty: true, is_faulty_details: 'fan' }),
        pc('a2'),
        pc('a3', 'pasteur', { is_faulty: true }),
      ],
      [room('pasteur')],
      new Map([
        ['a1', 'olga'],
        ['a2', 'root'],
      ]),
      groupOf,
      new Set(['a1', 'a2', 'a3']),
    );
    expect(model.rooms[0]?.seats).toEqual([
      { hostname: 'a1', state: 'taken', login: 'olga', group: 'orga', faulty_reason: 'fan' },
      { hostname: 'a2', state: 'taken', login: 'root', group: 'root' },
      { hostname: 'a3', state: 'faulty', faulty_reason: '' },
    ]);
  });

  it('lays seats out by row and seat from the room pattern, the others after by name', () => {
    const pattern = { hostname_pattern: 'pas-r{row:02}p{seat:02}', seats_per_row: 3 };
    const names = ['zz', 'pas-r02p01', 'pas-r01p03', 'pas-r1p1', 'pas-r01p01', 'aa'];
    const model = buildUsermap(
      names.map((h) => pc(h)),
      [room('pasteur', pattern)],
      new Map(),
      groupOf,
      none,
    );
    const [pasteur] = model.rooms;
    expect(pasteur?.columns).toBe(3);
    expect(pasteur?.seats.map((s) => [s.hostname, s.row, s.column])).toEqual([
      ['pas-r01p01', 1, 1],
      ['pas-r01p03', 1, 3],
      ['pas-r02p01', 2, 1],
      ['aa', undefined, undefined],
      ['pas-r1p1', undefined, undefined],
      ['zz', undefined, undefined],
    ]);
  });

  it('orders {n} seats by number when the room has no rows, and others by natural name order', () => {
    const model = buildUsermap(
      ['m10', 'm9', 'x', 'pc10', 'pc9', 'pc1'].map((h) =>
        pc(h, h.startsWith('m') || h === 'x' ? 'lab' : 'sud'),
      ),
      [room('sud'), room('lab', { hostname_pattern: 'm{n}' })],
      new Map(),
      groupOf,
      none,
    );
    expect(model.rooms.map((r) => [r.name, r.columns, r.seats.map((s) => s.hostname)])).toEqual([
      ['lab', 0, ['m9', 'm10', 'x']],
      ['sud', 0, ['pc1', 'pc9', 'pc10']],
    ]);
    expect(model.rooms[0]?.seats.every((s) => s.row === undefined)).toBe(true);
  });

  it('puts machines of unknown rooms in an "other" block last, and keeps empty rooms', () => {
    const model = buildUsermap(
      [pc('b', 'nowhere'), pc('a', 'other'), pc('c', 'lab')],
      [room('lab'), room('annex', { description: 'upstairs' })],
      new Map(),
      groupOf,
      none,
    );
    expect(model.rooms.map((r) => [r.name, r.seats.map((s) => s.hostname)])).toEqual([
      ['annex', []],
      ['lab', ['c']],
      [OTHER_ROOM, ['a', 'b']],
    ]);
    const known = buildUsermap(
      [pc('b', 'nowhere')],
      [room('other', { description: 'misc' })],
      new Map(),
      groupOf,
      none,
    );
    expect(known.rooms).toEqual([
      { name: 'other', description: 'misc', columns: 0, seats: [{ hostname: 'b', state: 'free' }] },
    ]);
  });

  it('shows every machine exactly once, and the totals count them', () => {
    const host = fc.stringMatching(/^[a-c][0-9]{1,2}$/);
    fc.assert(
      fc.property(
        fc.uniqueArray(host, { maxLength: 30 }),
        fc.array(host, { maxLength: 10 }),
        fc.array(host, { maxLength: 10 }),
        (hosts, taken, down) => {
          const machines = hosts.map((h, i) =>
            pc(h, ['a', 'b', 'x'][i % 3], { is_faulty: i % 5 === 0 }),
          );
          const model = buildUsermap(
            machines,
            [
              room('a', { hostname_pattern: 'a{n}', seats_per_row: 4 }),
              room('b', { hostname_pattern: 'b{n}' }),
            ],
            new Map(taken.map((h) => [h, 'alice'])),
            groupOf,
            new Set(down),
          );
          const shown = model.rooms.flatMap((r) => r.seats.map((s) => s.hostname));
          expect(shown.sort()).toEqual([...hosts].sort());
          const sum = Object.values(model.totals).reduce((a, b) => a + b, 0);
          expect(sum).toBe(hosts.length);
        },
      ),
    );
  });
});
