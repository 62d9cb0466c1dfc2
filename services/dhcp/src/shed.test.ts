import { describe, expect, it } from 'vitest';
import { createShedder, DEFAULT_SHED_LIMITS } from './shed.ts';

const limits = { ...DEFAULT_SHED_LIMITS, maxInFlight: 3 };
const shedOf = (s: ReturnType<typeof createShedder>, n: number) =>
  Array.from({ length: n }, () => s.overload()).filter((r) => r !== null).length;

describe('load shedding', () => {
  it('sheds nothing while the loop has room', () => {
    const s = createShedder(limits);
    s.sampled(0.5);
    expect(shedOf(s, 100)).toBe(0);
  });

  it('sheds a growing share of DISCOVERs while saturated, capped, then less again', () => {
    const s = createShedder(limits);
    for (let i = 0; i < 4; i++) s.sampled(1);
    expect(s.share).toBe(0); // a short stall is not load
    s.sampled(1);
    s.sampled(1);
    expect(s.share).toBeCloseTo(0.2);
    expect(shedOf(s, 100)).toBe(20);
    for (let i = 0; i < 20; i++) s.sampled(1);
    expect(s.share).toBeCloseTo(0.9);
    for (let i = 0; i < 20; i++) s.sampled(0.2);
    expect(s.share).toBe(0);
    expect(shedOf(s, 100)).toBe(0);
  });

  it('sheds every DISCOVER while too many packets wait for their commit', () => {
    const s = createShedder(limits);
    for (let i = 0; i < 3; i++) s.enter();
    expect(s.overload()).toBe('in-flight');
    s.leave();
    expect(s.overload()).toBeNull();
  });
});
