import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { macSchema, normalizeMac } from './mac.ts';

/** Any UTF-16 code unit, lone surrogates included (fast-check's 'binary' unit is slow). */
const utf16 = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

const NORMAL = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;

const hex = (bytes: number[]) => bytes.map((b) => b.toString(16).padStart(2, '0'));

/** Every spelling `normalizeMac` accepts for the same six bytes, in both cases. */
function spellings(bytes: number[]): string[] {
  const pairs = hex(bytes);
  const joined = pairs.join('');
  const dotted = [joined.slice(0, 4), joined.slice(4, 8), joined.slice(8, 12)].join('.');
  const forms = [pairs.join(':'), pairs.join('-'), dotted];
  return forms.flatMap((f) => [f.toLowerCase(), f.toUpperCase()]);
}

describe('normalizeMac', () => {
  it.each([
    ['aa:bb:cc:dd:ee:ff', 'aa:bb:cc:dd:ee:ff'],
    ['AA:BB:CC:DD:EE:FF', 'aa:bb:cc:dd:ee:ff'],
    ['Aa:bB:0c:D1:e2:F3', 'aa:bb:0c:d1:e2:f3'],
    ['AA-BB-CC-DD-EE-FF', 'aa:bb:cc:dd:ee:ff'],
    ['00-1a-2B-3c-4D-5e', '00:1a:2b:3c:4d:5e'],
    ['aabb.ccdd.eeff', 'aa:bb:cc:dd:ee:ff'],
    ['AABB.CCDD.EEFF', 'aa:bb:cc:dd:ee:ff'],
    ['0011.2233.4455', '00:11:22:33:44:55'],
    ['00:00:00:00:00:00', '00:00:00:00:00:00'],
    ['ff-ff-ff-ff-ff-ff', 'ff:ff:ff:ff:ff:ff'],
  ])('accepts %j as %j', (input, expected) => {
    expect(normalizeMac(input)).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['gg:bb:cc:dd:ee:ff', 'non-hex g'],
    ['aa:bb:cc:dd:ee:fz', 'non-hex z'],
    ['aa:bb:cc:dd:ee:0x', 'non-hex x'],
    ['aa:bb-cc:dd:ee:ff', 'mixed colon and dash'],
    ['aa-bb:cc-dd:ee-ff', 'alternating separators'],
    ['aa:bb:cc.dd:ee:ff', 'dot among colons'],
    ['aabb.ccdd-eeff', 'mixed dotted'],
    ['aa:bb:cc:dd:ee', 'five octets'],
    ['aa:bb:cc:dd:ee:ff:00', 'seven octets'],
    ['a:bb:cc:dd:ee:ff', 'short octet'],
    ['aaa:bb:cc:dd:ee:ff', 'long octet'],
    ['aabb.ccdd.eef', 'short dotted group'],
    ['aabb.ccdd.eeff.0011', 'four dotted groups'],
    ['aabbccddeeff', 'bare hex'],
    ['aa bb cc dd ee ff', 'space separated'],
    [' aa:bb:cc:dd:ee:ff', 'leading space'],
    ['aa:bb:cc:dd:ee:ff ', 'trailing space'],
    ['aa:bb:cc:dd:ee:ff\n', 'trailing newline'],
    ['\taa:bb:cc:dd:ee:ff', 'leading tab'],
    ['aa:bb:cc:dd:ee:ff\u0000', 'trailing NUL'],
    ['aa::bb:cc:dd:ee:ff', 'double separator'],
    ['aa:bb:cc:dd:ee:ff:', 'trailing separator'],
    ['\uff41a:bb:cc:dd:ee:ff', 'fullwidth a'],
    ['aa:bb:cc:dd:ee:f\u0192', 'latin small f with hook'],
    ['\u0430a:bb:cc:dd:ee:ff', 'cyrillic a'],
    ['aa:bb:cc:dd:ee:\u0661\u0662', 'arabic-indic digits'],
    ['aa\uff1abb:cc:dd:ee:ff', 'fullwidth colon'],
    ['aa\u2010bb\u2010cc\u2010dd\u2010ee\u2010ff', 'unicode hyphen'],
    ['aabb\u2024ccdd\u2024eeff', 'one dot leader'],
  ])('rejects %j (%s)', (input) => {
    expect(normalizeMac(input)).toBeNull();
  });

  it('every accepted spelling of the same six bytes normalizes to one value', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 }),
        (b) => {
          const expected = hex(b).join(':');
          for (const spelling of spellings(b)) expect(normalizeMac(spelling)).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never throws on random strings, and anything accepted is in the 17-char normal form', () => {
    const macLike = fc
      .array(fc.constantFrom(...'0123456789abcdefABCDEFgG:-. \u0000\u212a'), { maxLength: 20 })
      .map((chars) => chars.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: utf16, maxLength: 40 }), macLike), (input) => {
        const out = normalizeMac(input);
        if (out !== null) {
          expect(out).toHaveLength(17);
          expect(out).toMatch(NORMAL);
          expect(normalizeMac(out)).toBe(out);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('macSchema', () => {
  it('outputs the normalized form and reports the accepted spellings on failure', () => {
    expect(macSchema.parse('AABB.CCDD.EEFF')).toBe('aa:bb:cc:dd:ee:ff');
    const result = macSchema.safeParse('nope');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/aa:bb:cc:dd:ee:ff/);
  });
});
