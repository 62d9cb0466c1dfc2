import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration } from './units.ts';

describe('units', () => {
  it('formats sizes in binary units', () => {
    expect([0, 1023, 1024, 72_000, 1_048_576, 31_457_280, 5 * 2 ** 30].map(formatBytes)).toEqual([
      '0 B',
      '1023 B',
      '1 KiB',
      '70 KiB',
      '1 MiB',
      '30 MiB',
      '5 GiB',
    ]);
  });
  it('formats durations', () => {
    expect([0, 40, 2100, 12_400, 185_000].map(formatDuration)).toEqual([
      '0 ms',
      '40 ms',
      '2.1 s',
      '12 s',
      '3 min 5 s',
    ]);
  });
});
