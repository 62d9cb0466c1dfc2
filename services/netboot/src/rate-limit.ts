/**
 * Attempts per key (a source address) in a sliding minute, and in all: registration is open to
 * anyone on the alien range while a root has it on, so one host must not register hundreds of
 * made-up MACs (and empty the user pool) in that window.
 */
export function createRateLimit(options: { perKey: number; total: number; now: () => number }) {
  const WINDOW_MS = 60_000;
  const byKey = new Map<string, number[]>();
  let all: number[] = [];
  const recent = (times: number[], now: number) => times.filter((t) => now - t < WINDOW_MS);
  return {
    /** Counts an attempt; false when the key or everyone already made their share this minute. */
    take(key: string): boolean {
      const now = options.now();
      all = recent(all, now);
      const mine = recent(byKey.get(key) ?? [], now);
      if (mine.length >= options.perKey || all.length >= options.total) {
        byKey.set(key, mine);
        return false;
      }
      mine.push(now);
      all.push(now);
      byKey.set(key, mine);
      // Forget quiet keys, so the map stays the size of the last minute's senders.
      if (byKey.size > 4096)
        for (const [k, v] of byKey) if (recent(v, now).length === 0) byKey.delete(k);
      return true;
    },
  };
}
