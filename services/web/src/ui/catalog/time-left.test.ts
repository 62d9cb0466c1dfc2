import { describe, expect, it } from 'vitest';
import { formatLeft, registrationState } from './time-left.ts';

describe('self-registration time left', () => {
  it('formats a countdown to the second', () => {
    expect(formatLeft(3600_000)).toBe('1 h 00 min 00 s');
    expect(formatLeft(59 * 60_000 + 1)).toBe('59 min 01 s');
    expect(formatLeft(999)).toBe('1 s');
    expect(formatLeft(-5)).toBe('0 s');
    expect(formatLeft(90_000_000)).toBe('1 d 1 h 00 min');
  });

  it('is off when the end has passed, whatever the stored value says', () => {
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(registrationState(undefined, now)).toEqual({ on: false });
    expect(registrationState({ value: true, enabled_until: '2030-01-01T01:00:00Z' }, now)).toEqual({
      on: true,
      leftMs: 3600_000,
    });
    expect(registrationState({ value: true, enabled_until: '2029-12-31T23:00:00Z' }, now)).toEqual({
      on: false,
    });
    expect(registrationState({ value: true, enabled_until: null }, now)).toEqual({
      on: true,
      leftMs: null,
    });
  });
});
