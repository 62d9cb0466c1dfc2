import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isHostLabel } from './hostname.ts';
import { roomCreateSchema } from './network.ts';
import {
  hostnameForSeat,
  hostnamePatternProblem,
  nextHostname,
  parseHostnamePattern,
  seatOfHostname,
} from './room-pattern.ts';

const SADM = 'pas-r{row:02}p{seat:02}';

describe('nextHostname', () => {
  it('walks seats row by row, zero-padded (SADM: pas-r01p01 … pas-r01p10, pas-r02p01)', () => {
    expect(nextHostname(SADM, 10, new Set())).toBe('pas-r01p01');
    const row1 = new Set(Array.from({ length: 10 }, (_, i) => hostnameForSeat(SADM, 10, i + 1)!));
    expect([...row1].at(-1)).toBe('pas-r01p10');
    expect(nextHostname(SADM, 10, row1)).toBe('pas-r02p01');
  });

  it('fills the first hole, not the end', () => {
    const taken = new Set(['pc1', 'pc2', 'pc4']);
    expect(nextHostname('pc{n}', null, taken)).toBe('pc3');
  });

  it('pads {n} and grows past the width', () => {
    expect(nextHostname('m{n:03}', null, new Set())).toBe('m001');
    expect(hostnameForSeat('m{n:2}', null, 123)).toBe('m123');
    expect(hostnameForSeat('r{row}s{seat}', 4, 9)).toBe('r3s1');
  });

  it('gives up at the limit, and on an invalid pattern', () => {
    const taken = new Set(Array.from({ length: 5 }, (_, i) => `pc${i + 1}`));
    expect(nextHostname('pc{n}', null, taken, 5)).toBeNull();
    expect(nextHostname('pc{n}', null, taken, 6)).toBe('pc6');
    expect(nextHostname('pc{row}', null, new Set())).toBeNull();
    expect(nextHostname('PC{n}', null, new Set())).toBeNull();
  });

  it('always returns a valid host name that is not taken', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('a{n}', 'x-{row:02}-{seat}', SADM, '{n:04}z'),
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 40 }),
        (pattern, seats, seatsTaken) => {
          const taken = new Set(seatsTaken.map((n) => hostnameForSeat(pattern, seats, n)!));
          const name = nextHostname(pattern, seats, taken);
          expect(name).not.toBeNull();
          expect(isHostLabel(name!)).toBe(true);
          expect(taken.has(name!)).toBe(false);
        },
      ),
    );
  });
});

describe('hostnamePatternProblem', () => {
  it.each([
    ['pas-r{row:02}p{seat:02}', 10, null],
    ['pc{n}', null, null],
    ['pc{row}', 10, 'hostname_pattern'],
    ['pc{row}-{seat}', null, 'seats_per_row'],
    ['pc', null, 'hostname_pattern'],
    ['pc_{n}', null, 'hostname_pattern'],
    ['pc{x}', null, 'hostname_pattern'],
    ['pc{n:0}', null, 'hostname_pattern'],
    ['pc{n:10}', null, 'hostname_pattern'],
    ['pc{n', null, 'hostname_pattern'],
    ['-pc{n}', null, 'hostname_pattern'],
    ['', null, 'hostname_pattern'],
  ] as const)('%j with %j seats: %s', (pattern, seats, field) => {
    expect(hostnamePatternProblem(pattern, seats)?.field ?? null).toBe(field);
  });

  it('never throws on any input', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 60 }),
        fc.option(fc.integer({ min: 1, max: 50 })),
        (p, s) => {
          const problem = hostnamePatternProblem(p, s);
          if (problem === null) expect(Array.isArray(parseHostnamePattern(p))).toBe(true);
        },
      ),
    );
  });

  it('is what roomCreateSchema reports, on the field concerned', () => {
    const r = roomCreateSchema.safeParse({ name: 'lab', hostname_pattern: 'l{row}{seat}' });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['seats_per_row']);
    expect(roomCreateSchema.parse({ name: 'lab' })).toEqual({
      name: 'lab',
      description: '',
      hostname_pattern: null,
      seats_per_row: null,
    });
  });
});

describe('seatOfHostname', () => {
  it.each([
    [SADM, 10, 'pas-r01p01', { n: 1, row: 1, seat: 1 }],
    [SADM, 10, 'pas-r02p03', { n: 13, row: 2, seat: 3 }],
    [SADM, 10, 'pas-r02p11', null],
    [SADM, 10, 'pas-r2p03', null],
    [SADM, 10, 'pas-r00p01', null],
    [SADM, 10, 'other', null],
    ['pc{n}', null, 'pc12', { n: 12, row: 1, seat: 12 }],
    ['pc{n}', 5, 'pc12', { n: 12, row: 3, seat: 2 }],
    ['pc{n:02}', null, 'pc1', null],
    ['r{row}s{seat}', 4, 'r3s1', { n: 9, row: 3, seat: 1 }],
    ['{row}{seat}x', 12, '111x', { n: 11, row: 1, seat: 11 }],
    ['pc{n}', null, 'pc0', null],
    ['pc{row}', 10, 'pc1', null],
  ] as const)('%s (%j a row): %s → %j', (pattern, seats, host, want) => {
    expect(seatOfHostname(pattern, seats, host)).toEqual(want);
  });

  it('inverts hostnameForSeat', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('a{n}', 'x-{row:02}-{seat}', SADM, '{n:04}z', '{row}{seat}', 'p{n}{n}'),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 500 }),
        (pattern, seats, n) => {
          const name = hostnameForSeat(pattern, seats, n)!;
          expect(seatOfHostname(pattern, seats, name)?.n).toBe(n);
        },
      ),
    );
  });

  it('never throws on any host name', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 70 }), (host) => {
        const seat = seatOfHostname(SADM, 10, host);
        if (seat) expect(hostnameForSeat(SADM, 10, seat.n)).toBe(host);
      }),
    );
  });
});
