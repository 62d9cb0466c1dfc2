import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideRange, MAX_HEADER, type RangeDecision } from './range.ts';

const range = (start: number, end: number): RangeDecision => ({ kind: 'range', start, end });

describe('decideRange', () => {
  it.each<[string | undefined, number, RangeDecision]>([
    [undefined, 100, { kind: 'none' }],
    ['bytes=0-9', 100, range(0, 9)],
    ['bytes=10-', 100, range(10, 99)],
    ['bytes=-10', 100, range(90, 99)],
    ['bytes=-1000', 100, range(0, 99)],
    ['bytes=0-1000', 100, range(0, 99)],
    ['bytes=99-99', 100, range(99, 99)],
    ['BYTES = 5-6', 100, range(5, 6)],
    ['bytes=0005-0006', 100, range(5, 6)],
    ['bytes= 5-6 ,', 100, range(5, 6)],
    ['bytes=0-99999999999999999999999', 100, range(0, 99)],
    ['bytes=100-', 100, { kind: 'unsatisfiable' }],
    ['bytes=100-200', 100, { kind: 'unsatisfiable' }],
    ['bytes=-0', 100, { kind: 'unsatisfiable' }],
    ['bytes=0-', 0, { kind: 'unsatisfiable' }],
    ['bytes=-5', 0, { kind: 'unsatisfiable' }],
    ['bytes=99999999999999999999999-', 100, { kind: 'unsatisfiable' }],
    ['bytes=0-1,5-6', 100, { kind: 'multi' }],
    ['bytes=0-1,200-300', 100, { kind: 'multi' }],
    ['bytes=9-5', 100, { kind: 'none' }],
    ['bytes=99999999999999999999999-99999999999999999999998', 100, { kind: 'none' }],
    ['bytes=', 100, { kind: 'none' }],
    ['bytes=-', 100, { kind: 'none' }],
    ['bytes=a-b', 100, { kind: 'none' }],
    ['bytes=1-2-3', 100, { kind: 'none' }],
    ['bytes=+1-2', 100, { kind: 'none' }],
    ['bytes=1 - 2', 100, { kind: 'none' }],
    ['bytes=0x1-2', 100, { kind: 'none' }],
    ['items=0-9', 100, { kind: 'none' }],
    ['0-9', 100, { kind: 'none' }],
    ['', 100, { kind: 'none' }],
    [`bytes=0-9${' '.repeat(MAX_HEADER)}`, 100, { kind: 'none' }],
  ])('%j on %i bytes → %j', (header, size, expected) => {
    expect(decideRange(header, size)).toEqual(expected);
  });
});

/** An independent model on BigInt: the single-spec answer RFC 9110 §14.1.2 gives. */
function model(first: bigint | null, last: bigint | null, size: number): RangeDecision {
  const n = BigInt(size);
  if (first === null && last === null) return { kind: 'none' };
  if (first !== null && last !== null && last < first) return { kind: 'none' };
  if (n === 0n) return { kind: 'unsatisfiable' };
  if (first === null) {
    if (last === 0n) return { kind: 'unsatisfiable' };
    const start = last! >= n ? 0n : n - last!;
    return range(Number(start), size - 1);
  }
  if (first >= n) return { kind: 'unsatisfiable' };
  const end = last === null || last >= n ? n - 1n : last;
  return range(Number(first), Number(end));
}

describe('decideRange (fuzz)', () => {
  it('never throws and keeps every answer inside the file, on 100k arbitrary headers', () => {
    const header = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: fc.constantFrom(...'bytes=0123456789-, \t'.split('')), maxLength: 40 }),
      fc.string({ maxLength: 30 }).map((s) => `bytes=${s}`),
    );
    fc.assert(
      fc.property(header, fc.nat({ max: 1 << 30 }), (h, size) => {
        const d = decideRange(h, size);
        if (d.kind === 'range') {
          expect(Number.isSafeInteger(d.start) && Number.isSafeInteger(d.end)).toBe(true);
          expect(0 <= d.start && d.start <= d.end && d.end < size).toBe(true);
        }
      }),
      { numRuns: 100_000 },
    );
  });

  it('agrees with a BigInt model on well-formed single ranges', () => {
    const pos = fc.option(fc.bigInt({ min: 0n, max: 10n ** 22n }), { nil: null });
    fc.assert(
      fc.property(pos, pos, fc.nat({ max: 1 << 20 }), fc.nat({ max: 3 }), (a, b, size, zeros) => {
        const pad = '0'.repeat(zeros);
        const spec = `${a === null ? '' : pad + a}-${b === null ? '' : b}`;
        expect(decideRange(`bytes=${spec}`, size)).toEqual(model(a, b, size));
      }),
      { numRuns: 20_000 },
    );
  });
});
