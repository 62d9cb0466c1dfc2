import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aliasesSchema, hostnameSchema, isHostLabel } from './hostname.ts';

/** Any UTF-16 code unit, lone surrogates included (fast-check's 'binary' unit is slow). */
const utf16 = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

describe('hostnameSchema', () => {
  it.each([
    ['a', 'a'],
    ['0', '0'],
    ['pc-42', 'pc-42'],
    ['PC-42', 'pc-42'],
    ['Pasteur-Row3-Seat12', 'pasteur-row3-seat12'],
    ['a--b', 'a--b'],
    ['1234', '1234'],
    ['a'.repeat(63), 'a'.repeat(63)],
    [`A${'-'.repeat(61)}Z`, `a${'-'.repeat(61)}z`],
  ])('accepts %j as %j', (input, expected) => {
    expect(hostnameSchema.parse(input)).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['-a', 'leading hyphen'],
    ['a-', 'trailing hyphen'],
    ['-', 'hyphen only'],
    ['a'.repeat(64), '64 characters'],
    ['pc.lan', 'dot'],
    ['pc.', 'trailing dot'],
    ['pc_1', 'underscore'],
    ['pc 1', 'space'],
    [' pc', 'leading space'],
    ['pc\n', 'trailing newline'],
    ['pc\u0000', 'NUL'],
    ['\u0000', 'NUL only'],
    ['pc/1', 'slash'],
    ['pc*', 'wildcard'],
    ['caf\u00e9', 'non-ASCII letter'],
    ['\u0440c', 'cyrillic look-alike'],
    ['\u212a', 'KELVIN SIGN (lower-cases to ASCII k)'],
    ['\u212ab', 'KELVIN SIGN in a label'],
    ['\u0130', 'dotted capital I'],
  ])('rejects %j (%s)', (input) => {
    const result = hostnameSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/RFC 1123/);
  });

  it('rejects non-strings', () => {
    for (const value of [null, undefined, 42, ['pc'], { name: 'pc' }]) {
      expect(hostnameSchema.safeParse(value).success).toBe(false);
    }
  });

  it('outputs only lower-case RFC 1123 labels, whatever the input', () => {
    const labelish = fc
      .array(fc.constantFrom(...'abzAZ09-._ \u0000\u212a\u0130\u00e9'), { maxLength: 70 })
      .map((c) => c.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: utf16, maxLength: 70 }), labelish), (input) => {
        const result = hostnameSchema.safeParse(input);
        if (result.success) {
          expect(result.data).toMatch(LABEL);
          expect(result.data).toBe(input.toLowerCase());
          expect(input).toMatch(/^[A-Za-z0-9-]+$/);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('isHostLabel checks the lower-case form only', () => {
    expect(isHostLabel('pc')).toBe(true);
    expect(isHostLabel('PC')).toBe(false);
  });
});

describe('aliasesSchema', () => {
  it('accepts an empty list and distinct labels, lower-cased', () => {
    expect(aliasesSchema.parse([])).toEqual([]);
    expect(aliasesSchema.parse(['WWW', 'mail'])).toEqual(['www', 'mail']);
  });

  it('rejects repeats, also when they differ only in case', () => {
    expect(aliasesSchema.safeParse(['a', 'a']).success).toBe(false);
    const result = aliasesSchema.safeParse(['www', 'WWW']);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('aliases must not repeat');
  });

  it('rejects invalid labels, naming the index', () => {
    const result = aliasesSchema.safeParse(['ok', 'not_ok']);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual([1]);
  });

  it('accepts 64 aliases and rejects 65', () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `a${i}`);
    expect(aliasesSchema.safeParse(names(64)).success).toBe(true);
    expect(aliasesSchema.safeParse(names(65)).success).toBe(false);
  });
});
