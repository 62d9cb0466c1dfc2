import { describe, expect, it } from 'vitest';
import { FreePools, MinHeap } from './pool.ts';

/** A lease table the pools watch, with the linear scan they must agree with. */
function table() {
  const rows = new Map<number, { ip: number; expiresAt: number }>();
  const pools = new FreePools(
    (ip) => rows.get(ip) ?? null,
    () => rows.values(),
  );
  return {
    pools,
    set(ip: number, expiresAt: number) {
      rows.set(ip, { ip, expiresAt });
      pools.noted(ip, expiresAt);
    },
    first: (from: number, to: number, now: number) => {
      for (const ip of pools.free(from, to, now)) return ip;
      return null;
    },
    scan(from: number, to: number, now: number) {
      for (let ip = from; ip <= to; ip++) if ((rows.get(ip)?.expiresAt ?? 0) <= now) return ip;
      return null;
    },
  };
}

describe('min-heap', () => {
  it('pops in order', () => {
    const h = new MinHeap<number>((a, b) => a < b);
    for (const n of [5, 1, 4, 1, 3, 9, 2]) h.push(n);
    const out: number[] = [];
    while (h.size) out.push(h.pop()!);
    expect(out).toEqual([1, 1, 2, 3, 4, 5, 9]);
  });
});

describe('free pools', () => {
  it('hands out the lowest never-used address, then reuses expired ones lowest first', () => {
    const t = table();
    for (let i = 0; i < 5; i++) t.set(t.first(10, 20, 0)!, 100 + i);
    expect(t.first(10, 20, 0)).toBe(15);
    expect(t.first(10, 20, 102)).toBe(10); // 10, 11, 12 have expired
    t.set(10, 500);
    expect(t.first(10, 20, 102)).toBe(11);
    t.set(11, 0); // released
    expect(t.first(10, 20, 102)).toBe(11);
  });

  it('does not hand out a renewed lease, and reports exhaustion', () => {
    const t = table();
    t.set(1, 10);
    t.set(2, 10);
    t.set(1, 50); // renewed
    expect(t.first(1, 2, 20)).toBe(2);
    t.set(2, 50);
    expect(t.first(1, 2, 20)).toBeNull();
    expect(t.first(1, 2, 50)).toBe(1);
  });

  it('agrees with a linear scan under random leases, expiries and compaction', () => {
    const t = table();
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let now = 0; now < 3000; now++) {
      const expected = t.scan(100, 163, now);
      expect(t.first(100, 163, now)).toBe(expected);
      if (expected !== null && rnd(3) > 0) t.set(expected, now + rnd(80));
      if (rnd(4) === 0) t.set(100 + rnd(64), now + rnd(80)); // a REQUEST for a given address
      if (now % 500 === 0) t.pools.compact(0);
    }
  });
});
