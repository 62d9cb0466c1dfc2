import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  parseDuration,
  parseList,
  parseOnOff,
  parseServerNumber,
  pickDefined,
} from './parse.ts';

describe('option parsers', () => {
  it.each([
    ['90s', 90],
    ['30m', 1800],
    ['2h', 7200],
    ['1d', 86400],
    ['1w', 604800],
    ['1h30m', 5400],
    [' 2H ', 7200],
  ])('parseDuration(%j) = %d', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(['', '2', 'h', '2 h', '1.5h', '-1h', '0m', '2hours'])('parseDuration(%j) throws', (t) => {
    expect(() => parseDuration(t)).toThrow(/duration/);
  });

  it('formats time left with at most two units', () => {
    expect(formatDuration(7200)).toBe('2h');
    expect(formatDuration(7199)).toBe('1h59m');
    expect(formatDuration(90061)).toBe('1d1h');
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(-5)).toBe('0s');
  });

  it('accepts server numbers 0-999 only', () => {
    expect(parseServerNumber('0')).toBe(0);
    expect(parseServerNumber('999')).toBe(999);
    for (const bad of ['', '-1', '1000', '1.5', '1e2', ' 1', 'x']) {
      expect(() => parseServerNumber(bad)).toThrow(/whole number/);
    }
  });

  it('splits lists on commas, trimming, with "" as the empty list', () => {
    expect(parseList('a, b,,c ')).toEqual(['a', 'b', 'c']);
    expect(parseList('')).toEqual([]);
  });

  it('reads on/off words', () => {
    expect(['on', 'ON', 'true', 'yes', '1'].map(parseOnOff)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['off', 'false', 'no', '0'].map(parseOnOff)).toEqual([false, false, false, false]);
    expect(() => parseOnOff('maybe')).toThrow(/on or off/);
  });

  it('picks only the options that were given', () => {
    const options = { a: 1, b: undefined, c: '', d: false };
    expect(pickDefined(options, ['a', 'b', 'c', 'd'])).toEqual({ a: 1, c: '', d: false });
  });
});
