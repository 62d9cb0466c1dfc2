import { isHostLabel } from './hostname.ts';

/**
 * A room's hostname pattern, e.g. `pas-r{row:02}p{seat:02}`: literal host-label characters and
 * the placeholders `{row}`, `{seat}` (1-based, `seats_per_row` seats a row) and `{n}` (the seat's
 * number in the whole room, 1-based), each optionally zero-padded to a width: `{seat:02}`.
 */
type Part = string | { key: 'row' | 'seat' | 'n'; width: number };

const PLACEHOLDER = /\{([a-z]*)(?::([0-9]*))?\}/g;
const LITERAL = /^[a-z0-9-]*$/;
export const MAX_SEATS_PER_ROW = 1000;

/** The pattern's parts, or why it is not one (a message for the field `hostname_pattern`). */
export function parseHostnamePattern(pattern: string): Part[] | string {
  if (pattern.length === 0 || pattern.length > 100) return 'expected 1 to 100 characters';
  const parts: Part[] = [];
  let at = 0;
  for (const m of pattern.matchAll(PLACEHOLDER)) {
    const literal = pattern.slice(at, m.index);
    if (!LITERAL.test(literal)) return literalProblem(literal);
    if (literal) parts.push(literal);
    const key = m[1];
    if (key !== 'row' && key !== 'seat' && key !== 'n') {
      return `unknown placeholder {${key}}: expected {row}, {seat} or {n}`;
    }
    const width = m[2] === undefined ? 0 : /^0?[1-9]$/.test(m[2]) ? Number(m[2]) : -1;
    if (width < 0) return `bad width in ${m[0]}: expected one digit 1-9, e.g. {${key}:02}`;
    parts.push({ key, width });
    at = m.index + m[0].length;
  }
  const tail = pattern.slice(at);
  if (!LITERAL.test(tail)) return literalProblem(tail);
  if (tail) parts.push(tail);
  if (!parts.some((p) => typeof p !== 'string')) {
    return 'needs a placeholder: {n}, or {row} and {seat}';
  }
  return parts;
}

function literalProblem(literal: string): string {
  const bad = [...literal].find((c) => !/[a-z0-9-]/.test(c)) ?? literal;
  return bad === '{' || bad === '}'
    ? 'unbalanced { or }'
    : `"${bad}" is not a host name character (lower-case letters, digits and -)`;
}

const keys = (parts: Part[]) => new Set(parts.flatMap((p) => (typeof p === 'string' ? [] : p.key)));

/**
 * Why a pattern with `seatsPerRow` cannot name seats, as {field, message}, or null: {row} and
 * {seat} need each other and seats_per_row; the first name must be a valid host name.
 */
export function hostnamePatternProblem(
  pattern: string | null,
  seatsPerRow: number | null,
): { field: 'hostname_pattern' | 'seats_per_row'; message: string } | null {
  if (pattern === null) return null;
  const parts = parseHostnamePattern(pattern);
  if (typeof parts === 'string') return { field: 'hostname_pattern', message: parts };
  const used = keys(parts);
  if (used.has('row') !== used.has('seat') && !used.has('n')) {
    return { field: 'hostname_pattern', message: '{row} and {seat} go together (or use {n})' };
  }
  if ((used.has('row') || used.has('seat')) && seatsPerRow === null) {
    return { field: 'seats_per_row', message: 'required when the pattern uses {row} or {seat}' };
  }
  const first = renderSeat(parts, 1, seatsPerRow ?? 1);
  if (!isHostLabel(first)) {
    return { field: 'hostname_pattern', message: `gives "${first}", not a valid host name` };
  }
  return null;
}

function renderSeat(parts: Part[], n: number, seatsPerRow: number): string {
  const values = {
    n,
    row: Math.floor((n - 1) / seatsPerRow) + 1,
    seat: ((n - 1) % seatsPerRow) + 1,
  };
  return parts
    .map((p) => (typeof p === 'string' ? p : String(values[p.key]).padStart(p.width, '0')))
    .join('');
}

/** The name of seat `n` (1-based) under a valid pattern, or null if the pattern is invalid. */
export function hostnameForSeat(pattern: string, seatsPerRow: number | null, n: number) {
  const parts = parseHostnamePattern(pattern);
  return typeof parts === 'string' ? null : renderSeat(parts, n, seatsPerRow ?? 1);
}

/**
 * The first seat, in order (row 1 seat 1, row 1 seat 2, ...), whose name is a valid host name
 * not in `taken`; null when the pattern is invalid or the first `limit` seats are all taken.
 */
export function nextHostname(
  pattern: string,
  seatsPerRow: number | null,
  taken: ReadonlySet<string>,
  limit = 10000,
): string | null {
  if (hostnamePatternProblem(pattern, seatsPerRow)) return null;
  const parts = parseHostnamePattern(pattern) as Part[];
  for (let n = 1; n <= limit; n++) {
    const name = renderSeat(parts, n, seatsPerRow ?? 1);
    if (isHostLabel(name) && !taken.has(name)) return name;
  }
  return null;
}

/** A seat's place: its number in the room and, with `seats_per_row`, its row and seat (1-based). */
export interface SeatPosition {
  n: number;
  row: number;
  seat: number;
}

/**
 * Where `hostname` sits under a room's pattern: the inverse of hostnameForSeat (null when the
 * pattern is invalid or does not name this host, e.g. `pc1` under `pc{n:02}`). Without
 * `seats_per_row`, every seat is in row 1.
 */
export function seatOfHostname(
  pattern: string,
  seatsPerRow: number | null,
  hostname: string,
): SeatPosition | null {
  if (hostname.length > 253 || hostnamePatternProblem(pattern, seatsPerRow)) return null;
  const parts = parseHostnamePattern(pattern) as Part[];
  const perRow = seatsPerRow ?? 1;
  for (const values of matches(parts, hostname, 0, 0, {})) {
    let n = values.n;
    if (n === undefined) {
      const { row, seat } = values;
      if (row === undefined || seat === undefined || seat > perRow) continue;
      n = (row - 1) * perRow + seat;
    }
    // Re-rendering checks padding and that {n}, {row} and {seat} agree.
    if (renderSeat(parts, n, perRow) !== hostname) continue;
    if (seatsPerRow === null) return { n, row: 1, seat: n };
    return { n, row: Math.floor((n - 1) / perRow) + 1, seat: ((n - 1) % perRow) + 1 };
  }
  return null;
}

type Values = Partial<Record<'row' | 'seat' | 'n', number>>;

/** Every way to read `host` from `pos` on as parts[i..]: placeholders take 1 to 7 digits. */
function* matches(
  parts: Part[],
  host: string,
  i: number,
  pos: number,
  values: Values,
): Generator<Values> {
  const part = parts[i];
  if (part === undefined) {
    if (pos === host.length) yield values;
    return;
  }
  if (typeof part === 'string') {
    if (host.startsWith(part, pos)) yield* matches(parts, host, i + 1, pos + part.length, values);
    return;
  }
  for (let end = pos + 1; end <= Math.min(host.length, pos + 7); end++) {
    const c = host.charCodeAt(end - 1);
    if (c < 48 || c > 57) break;
    const value = Number(host.slice(pos, end));
    if (value >= 1) yield* matches(parts, host, i + 1, end, { ...values, [part.key]: value });
  }
}
