/**
 * The `Range` request header (RFC 9110 §14.1–14.2), bytes unit only, as a pure decision against
 * a representation of `size` bytes. Never throws.
 *
 * - `none`: no usable Range: absent, another unit, syntactically invalid (including `a-b` with
 *   b < a) or longer than MAX_HEADER. The server ignores it and answers the whole file (200).
 * - `multi`: more than one range. We answer the whole file (200), which RFC 9110 §14.2 allows
 *   ("a server MAY ignore the Range header field"): boot clients never ask for several ranges
 *   and multipart/byteranges would cost a second code path.
 * - `unsatisfiable`: one range, none of whose bytes exist (`a-` with a ≥ size, `-0`, any range
 *   of an empty file): 416 with `Content-Range: bytes *\/size`.
 * - `range`: one satisfiable range, `end` inclusive and clamped to size - 1: 206.
 */
export type RangeDecision =
  | { kind: 'none' }
  | { kind: 'multi' }
  | { kind: 'unsatisfiable' }
  | { kind: 'range'; start: number; end: number };

/** Longer headers are ignored rather than parsed. */
export const MAX_HEADER = 1024;

const SPEC = /^(\d*)-(\d*)$/;
const NONE: RangeDecision = { kind: 'none' };

/** Decimal digit strings compared exactly, whatever their length (no float rounding). */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length < y.length ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A digit string as a number, or Infinity beyond the safe range (file sizes never get there). */
function toNumber(digits: string): number {
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : Number.POSITIVE_INFINITY;
}

type Spec = { first: string; last: string };

/** `bytes=spec, spec` → the specs, or null when the set is syntactically invalid. */
export function parseRangeSpecs(header: string): Spec[] | null {
  if (header.length > MAX_HEADER) return null;
  const eq = header.indexOf('=');
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return null;
  const specs: Spec[] = [];
  for (const raw of header.slice(eq + 1).split(',')) {
    const part = raw.trim();
    if (part === '') continue; // RFC 9110 list syntax tolerates empty elements
    const m = SPEC.exec(part);
    if (!m) return null;
    const first = m[1] ?? '';
    const last = m[2] ?? '';
    if (first === '' && last === '') return null;
    if (first !== '' && last !== '' && compareDigits(last, first) < 0) return null;
    specs.push({ first, last });
  }
  return specs.length === 0 ? null : specs;
}

/** One spec resolved against `size`: [start, end] inclusive, or null if unsatisfiable. */
function resolveSpec(spec: Spec, size: number): [number, number] | null {
  if (size === 0) return null;
  if (spec.first === '') {
    const suffix = toNumber(spec.last);
    if (suffix === 0) return null;
    return [Math.max(0, size - suffix), size - 1];
  }
  const start = toNumber(spec.first);
  if (start >= size) return null;
  const end = spec.last === '' ? size - 1 : Math.min(toNumber(spec.last), size - 1);
  return [start, end];
}

export function decideRange(header: string | undefined, size: number): RangeDecision {
  if (header === undefined) return NONE;
  const specs = parseRangeSpecs(header);
  if (specs === null) return NONE;
  if (specs.length > 1) return { kind: 'multi' };
  const [spec] = specs;
  if (!spec) return NONE;
  const resolved = resolveSpec(spec, size);
  if (!resolved) return { kind: 'unsatisfiable' };
  return { kind: 'range', start: resolved[0], end: resolved[1] };
}
