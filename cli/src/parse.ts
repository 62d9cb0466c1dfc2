import { serverNumberSchema } from '@lanctl/model';
import { InvalidArgumentError } from 'commander';

/**
 * Option value parsers for commander: a bad value throws InvalidArgumentError, which commander
 * reports naming the flag (`option '--rfs <n>' argument 'x' is invalid. ...`) as a usage error.
 */

/** RFS/HFS numbers, checked with the same schema the API uses. */
export function parseServerNumber(value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!serverNumberSchema.safeParse(n).success) {
    throw new InvalidArgumentError('expected a whole number from 0 to 999');
  }
  return n;
}

/** `a,b, c` → `['a','b','c']`; an empty string is the empty list (to clear a list field). */
export function parseList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** `90s`, `30m`, `2h`, `1d`, `1w`, or sums like `1h30m`, to whole seconds. */
export function parseDuration(value: string): number {
  const text = value.trim().toLowerCase();
  if (!/^(\d+[smhdw])+$/.test(text)) {
    throw new InvalidArgumentError('expected a duration such as 30m, 2h, 1d or 1h30m');
  }
  let seconds = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)([smhdw])/g)) {
    seconds += Number(amount) * UNIT_SECONDS[unit!]!;
  }
  if (seconds <= 0) throw new InvalidArgumentError('expected a duration longer than zero');
  return seconds;
}

/** `1d2h` style rendering of a number of seconds, for "time left" displays. */
export function formatDuration(totalSeconds: number): string {
  let rest = Math.max(0, Math.round(totalSeconds));
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || parts.length === 0) parts.push(`${rest}s`);
  return parts.slice(0, 2).join('');
}

const SWITCH_WORDS: Record<string, boolean> = {
  on: true,
  true: true,
  yes: true,
  '1': true,
  off: false,
  false: false,
  no: false,
  '0': false,
};

/** `on`/`off` (also true/false, yes/no, 1/0) for boolean settings. */
export function parseOnOff(value: string): boolean {
  const result = SWITCH_WORDS[value.toLowerCase()];
  if (result === undefined) throw new InvalidArgumentError('expected on or off');
  return result;
}

/** The options that were given, by name: what `--update` and `edit` send as a PATCH. */
export function pickDefined<T extends object, K extends keyof T>(
  source: T,
  keys: readonly K[],
): { [P in K]?: Exclude<T[P], undefined> } {
  const out: { [P in K]?: Exclude<T[P], undefined> } = {};
  for (const key of keys) {
    if (source[key] !== undefined) out[key] = source[key] as Exclude<T[K], undefined>;
  }
  return out;
}
