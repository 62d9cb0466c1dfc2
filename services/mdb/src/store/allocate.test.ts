import { formatIpv4, parseIpv4 } from '@lanctl/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstFree, parseReserved } from './allocate.ts';

/** allocate.ts's page size for used addresses (not exported; keep in step). */
const BATCH = 1024;

type Excluded = ReturnType<typeof parseReserved>[number];

const ip = (text: string) => parseIpv4(text)!;
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** What `allocateIp` does with the database replaced by a sorted array of used addresses. */
function allocate(
  first: number,
  last: number,
  used: number[],
  excluded: Excluded[],
  scanFrom = first,
) {
  const sorted = [...used].sort((a, b) => a - b);
  let candidate = Math.max(first, scanFrom);
  let queries = 0;
  while (candidate <= last) {
    const start = candidate;
    const page = sorted.filter((u) => u >= start && u <= last).slice(0, BATCH);
    queries++;
    const found = firstFree(candidate, last, page, excluded);
    if (found.free !== null) return { free: found.free, queries };
    if (page.length < BATCH) break;
    expect(found.next).toBeGreaterThan(candidate);
    candidate = found.next;
  }
  return { free: null, queries };
}

/** The obvious answer: the lowest address in range that is neither used nor excluded. */
function naive(
  first: number,
  last: number,
  used: number[],
  excluded: Excluded[],
  scanFrom = first,
) {
  const taken = new Set(used);
  for (let a = Math.max(first, scanFrom); a <= last; a++) {
    if (!taken.has(a) && !excluded.some((r) => a >= r.from && a <= r.to)) return a;
  }
  return null;
}

describe('parseReserved', () => {
  it('parses single addresses and inclusive ranges, sorted by start', () => {
    expect(
      parseReserved(['192.168.0.250-192.168.0.254', '192.168.0.1', '192.168.0.10-192.168.0.20']),
    ).toEqual([
      { from: ip('192.168.0.1'), to: ip('192.168.0.1') },
      { from: ip('192.168.0.10'), to: ip('192.168.0.20') },
      { from: ip('192.168.0.250'), to: ip('192.168.0.254') },
    ]);
  });

  it('returns nothing for no entries', () => {
    expect(parseReserved([])).toEqual([]);
  });

  it('merges overlapping and adjacent entries, so a pool size counts each address once', () => {
    expect(parseReserved(['10.0.0.8', '10.0.0.5-10.0.0.10', '10.0.0.11', '10.0.0.20'])).toEqual([
      { from: ip('10.0.0.5'), to: ip('10.0.0.11') },
      { from: ip('10.0.0.20'), to: ip('10.0.0.20') },
    ]);
  });
});

describe('firstFree', () => {
  const first = ip('192.168.0.1');
  const last = ip('192.168.0.254');
  const at = (n: number) => ip(`192.168.0.${n}`);

  it.each([
    ['an empty pool', [], [], 1],
    ['a used first address', [1], [], 2],
    ['a run of used addresses', [1, 2, 3, 5], [], 4],
    ['used addresses above the start only', [7, 8], [], 1],
    ['a reserved first address', [], ['192.168.0.1'], 2],
    ['a reserved range then used addresses', [11, 12], ['192.168.0.1-192.168.0.10'], 13],
    ['used addresses inside a reserved range', [3, 4, 11], ['192.168.0.1-192.168.0.10'], 12],
    ['adjacent reserved ranges', [], ['192.168.0.1-192.168.0.3', '192.168.0.4-192.168.0.9'], 10],
    ['overlapping reserved ranges', [], ['192.168.0.1-192.168.0.9', '192.168.0.5'], 10],
    ['unsorted reserved entries', [], ['192.168.0.4-192.168.0.9', '192.168.0.1-192.168.0.3'], 10],
    ['a gap between used and reserved', [1, 2], ['192.168.0.4-192.168.0.9'], 3],
  ])('%s', (_what, used, reserved, expected) => {
    const result = firstFree(first, last, used.map(at), parseReserved(reserved));
    expect(result).toEqual({ free: at(expected), next: at(expected) });
  });

  it('reports a full pool with where the scan stopped', () => {
    expect(firstFree(first, last, range(1, 254).map(at), [])).toEqual({
      free: null,
      next: last + 1,
    });
    expect(firstFree(first, last, [], parseReserved(['192.168.0.0-192.168.0.255']))).toEqual({
      free: null,
      next: ip('192.168.1.0'),
    });
    expect(
      firstFree(first, last, range(1, 200).map(at), parseReserved(['192.168.0.201-192.168.0.254']))
        .free,
    ).toBe(null);
  });

  it('hands out the last address when only it is free', () => {
    expect(firstFree(first, last, range(1, 253).map(at), []).free).toBe(last);
  });

  it('returns nothing when start is past last', () => {
    expect(firstFree(last + 1, last, [], [])).toEqual({ free: null, next: last + 1 });
  });

  it('stops a full batch at its last used address and says where to continue', () => {
    const base = ip('10.0.0.1');
    const used = range(base, base + BATCH - 1);
    expect(firstFree(base, ip('10.0.255.254'), used, [])).toEqual({
      free: null,
      next: base + BATCH,
    });
  });

  it('finds a hole inside a full batch', () => {
    const base = ip('10.0.0.1');
    const used = range(base, base + BATCH).filter((a) => a !== base + 500);
    expect(used).toHaveLength(BATCH);
    expect(firstFree(base, ip('10.0.255.254'), used, []).free).toBe(base + 500);
  });

  it('continues after a reserved range that spans the batch boundary', () => {
    const base = ip('10.0.0.1');
    const used = range(base, base + BATCH - 1);
    const boundary = used[BATCH - 1]!;
    const excluded = parseReserved([`${formatIpv4(boundary - 10)}-${formatIpv4(boundary + 50)}`]);
    const result = firstFree(base, ip('10.0.255.254'), used, excluded);
    expect(result).toEqual({ free: null, next: boundary + 51 });
    expect(firstFree(result.next, ip('10.0.255.254'), [], excluded).free).toBe(boundary + 51);
  });
});

describe('firstFree in batches, as allocateIp runs it', () => {
  it('finds the address after two full batches', () => {
    const first = ip('10.0.0.1');
    const last = ip('10.0.255.254');
    const used = range(first, first + 2 * BATCH - 1);
    expect(allocate(first, last, used, [])).toEqual({ free: first + 2 * BATCH, queries: 3 });
  });

  it('skips a reserved range that starts in one batch and ends two batches later', () => {
    const first = ip('10.0.0.1');
    const last = ip('10.0.255.254');
    const used = range(first, first + BATCH - 1).concat(
      range(first + 3 * BATCH, first + 4 * BATCH),
    );
    const excluded = parseReserved([
      `${formatIpv4(first + BATCH - 5)}-${formatIpv4(first + 3 * BATCH - 1)}`,
    ]);
    expect(allocate(first, last, used, excluded).free).toBe(first + 4 * BATCH + 1);
  });

  it('reports exhaustion when the last batch is exactly full', () => {
    const first = ip('10.0.0.1');
    const last = first + BATCH - 1;
    expect(allocate(first, last, range(first, last), [])).toEqual({ free: null, queries: 1 });
  });

  it('matches the lowest free address on random used and reserved sets', () => {
    const arbitrary = fc
      .record({
        size: fc.integer({ min: 1, max: 5000 }),
        scanOffset: fc.integer({ min: 0, max: 300 }),
        runs: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 2600 })), { maxLength: 6 }),
        scattered: fc.array(fc.nat(), { maxLength: 300 }),
        holes: fc.array(fc.nat(), { maxLength: 8 }),
        reserved: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 1500 })), { maxLength: 5 }),
      })
      .map(({ size, scanOffset, runs, scattered, holes, reserved }) => {
        const first = ip('10.1.0.1');
        const last = first + size - 1;
        const used = new Set<number>();
        for (const [at, length] of runs) {
          const from = first + (at % size);
          for (let a = from; a < from + length && a <= last; a++) used.add(a);
        }
        for (const at of scattered) used.add(first + (at % size));
        for (const at of holes) used.delete(first + (at % size));
        const excluded = parseReserved(
          reserved.map(([at, length]) => {
            const from = first - 1 + (at % (size + 2));
            return `${formatIpv4(from)}-${formatIpv4(from + length)}`;
          }),
        );
        return { first, last, used: [...used], excluded, scanFrom: first + scanOffset };
      });
    fc.assert(
      fc.property(arbitrary, ({ first, last, used, excluded, scanFrom }) => {
        expect(allocate(first, last, used, excluded, scanFrom).free).toBe(
          naive(first, last, used, excluded, scanFrom),
        );
      }),
      { numRuns: 300 },
    );
  });
});
