import { describe, expect, it } from 'vitest';
import { createRateLimit } from './rate-limit.ts';

describe('createRateLimit', () => {
  it('allows perKey attempts per key and total in all, per sliding minute', () => {
    let now = 0;
    const limit = createRateLimit({ perKey: 2, total: 3, now: () => now });
    expect([limit.take('a'), limit.take('a'), limit.take('a')]).toEqual([true, true, false]);
    expect(limit.take('b')).toBe(true);
    expect(limit.take('c')).toBe(false); // 3 in all this minute
    now = 59_999;
    expect(limit.take('c')).toBe(false);
    now = 60_000;
    expect([limit.take('a'), limit.take('c')]).toEqual([true, true]);
  });
});
