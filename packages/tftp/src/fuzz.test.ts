/**
 * STYLE rule 17: the decoder meets random and mutated datagrams and never throws; whatever it
 * accepts encodes again to a packet it decodes the same way. A failing input becomes a case of
 * codec.test.ts.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { decode } from './decode.ts';
import { encode } from './encode.ts';
import { DecodeError } from './packet.ts';
import { packetArbitrary } from './testing/arbitrary.ts';

/** decode never throws; an accepted packet survives encode → decode unchanged. */
function check(buf: Uint8Array): void {
  const p = decode(buf);
  if (p instanceof DecodeError) return;
  expect(decode(encode(p))).toEqual(p);
}

const mutation = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('flip', 'cut', 'insert', 'zero'),
  byte: fc.integer({ min: 0, max: 255 }),
});

function mutate(buf: Uint8Array, muts: { at: number; kind: string; byte: number }[]): Uint8Array {
  let out = Uint8Array.from(buf);
  for (const m of muts) {
    const at = out.length === 0 ? 0 : m.at % out.length;
    if (m.kind === 'flip' && out.length) out[at] = out[at]! ^ (1 << (m.byte % 8));
    else if (m.kind === 'zero' && out.length) out[at] = 0;
    else if (m.kind === 'cut') out = out.slice(0, at);
    else {
      const next = new Uint8Array(out.length + 1);
      next.set(out.subarray(0, at));
      next[at] = m.byte;
      next.set(out.subarray(at), at + 1);
      out = next;
    }
  }
  return out;
}

it('decodes 60k random datagrams without throwing', () => {
  const opcodeFirst = fc
    .tuple(fc.integer({ min: 0, max: 7 }), fc.uint8Array({ maxLength: 80 }))
    .map(([op, rest]) => Uint8Array.from([0, op, ...rest]));
  fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 80 }), opcodeFirst), check), {
    numRuns: 60_000,
  });
});

it('decodes 60k mutated valid packets without throwing', () => {
  fc.assert(
    fc.property(packetArbitrary, fc.array(mutation, { minLength: 1, maxLength: 4 }), (p, muts) =>
      check(mutate(encode(p), muts)),
    ),
    { numRuns: 60_000 },
  );
});
