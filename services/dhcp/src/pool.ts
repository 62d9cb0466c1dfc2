/** A binary min-heap. */
export class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly less: (a: T, b: T) => boolean) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(item: T): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }

  pop(): T | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    a[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && this.less(a[l]!, a[m]!)) m = l;
      if (r < a.length && this.less(a[r]!, a[m]!)) m = r;
      if (m === i) break;
      [a[i], a[m]] = [a[m]!, a[i]!];
      i = m;
    }
    return top;
  }

  clear(): void {
    this.items.length = 0;
  }
}

/** What the pools need of the lease table: the row at an address, if any. */
export type ExpiryLookup = (ip: number) => { expiresAt: number } | null;

interface Expiry {
  at: number;
  ip: number;
}

/** One dynamic range: addresses ≥ `cursor` were never seen free-then-taken; `freed` holds the rest. */
interface Range {
  from: number;
  to: number;
  cursor: number;
  freed: MinHeap<number>;
}

const byNumber = (a: number, b: number) => a < b;
const byExpiry = (a: Expiry, b: Expiry) => a.at < b.at;

/**
 * Lowest-free-first allocation in O(log n) amortized per address, for every dynamic range asked
 * about: a cursor over never-used addresses plus a min-heap of addresses freed below it (released
 * or expired: an expiry heap over every row moves them there once their time has come). Heap
 * entries are checked against the table when read, so stale ones (renewed, re-leased) cost a pop.
 */
export class FreePools {
  private readonly expiries = new MinHeap<Expiry>(byExpiry);
  private readonly ranges = new Map<string, Range>();

  constructor(
    private readonly lookup: ExpiryLookup,
    /** Rebuilds the expiry heap when stale entries outnumber rows this much (see `compact`). */
    private readonly rows: () => Iterable<{ ip: number; expiresAt: number }>,
  ) {}

  /** Every row written goes through here (its expiry may free its address later). */
  noted(ip: number, expiresAt: number): void {
    this.expiries.push({ at: expiresAt, ip });
  }

  /** Addresses of [from, to] with no live lease at `now`, lowest first (lazily). */
  *free(from: number, to: number, now: number): Generator<number> {
    this.drain(now);
    const range = this.range(from, to);
    const taken: number[] = [];
    try {
      yield* this.freed(range, now, taken);
      const isFree = (ip: number) => (this.lookup(ip)?.expiresAt ?? 0) <= now;
      while (range.cursor <= to && !isFree(range.cursor)) range.cursor++;
      for (let ip = range.cursor; ip <= to; ip++) if (isFree(ip)) yield ip;
    } finally {
      for (const ip of taken) range.freed.push(ip);
    }
  }

  /** Drops stale expiry entries when they are many more than the rows. */
  compact(rowCount: number): void {
    if (this.expiries.size <= 4 * rowCount + 4096) return;
    this.expiries.clear();
    for (const row of this.rows()) this.noted(row.ip, row.expiresAt);
  }

  private *freed(range: Range, now: number, taken: number[]): Generator<number> {
    while (range.freed.size > 0) {
      const ip = range.freed.pop()!;
      if (ip === taken[taken.length - 1]) continue;
      const row = this.lookup(ip);
      if (row && row.expiresAt > now) {
        this.noted(ip, row.expiresAt); // taken again: back here when that lease ends
        continue;
      }
      taken.push(ip);
      yield ip;
    }
  }

  private range(from: number, to: number): Range {
    const key = `${from}-${to}`;
    let range = this.ranges.get(key);
    if (!range) {
      range = { from, to, cursor: from, freed: new MinHeap(byNumber) };
      this.ranges.set(key, range);
    }
    return range;
  }

  /** Moves addresses whose lease has ended into the freed heap of each range below its cursor. */
  private drain(now: number): void {
    for (let top = this.expiries.peek(); top && top.at <= now; top = this.expiries.peek()) {
      this.expiries.pop();
      const row = this.lookup(top.ip);
      if (row && row.expiresAt > now) continue; // renewed: its newer entry is in the heap
      for (const r of this.ranges.values()) {
        if (top.ip >= r.from && top.ip < r.cursor) r.freed.push(top.ip);
      }
    }
  }
}
