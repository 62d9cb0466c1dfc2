import { z } from 'zod';

const COLON_OR_DASH =
  /^([0-9a-f]{2})([:-])([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})\2([0-9a-f]{2})$/i;
const CISCO_DOTTED = /^([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})$/i;

/**
 * Normalizes `aa:bb:cc:dd:ee:ff`, `AA-BB-CC-DD-EE-FF` or `aabb.ccdd.eeff` to lower-case with
 * colons; returns null for anything else (non-hex digits, mixed separators, wrong length).
 */
export function normalizeMac(input: string): string | null {
  const classic = COLON_OR_DASH.exec(input);
  if (classic) {
    return [1, 3, 4, 5, 6, 7]
      .map((i) => classic[i])
      .join(':')
      .toLowerCase();
  }
  const dotted = CISCO_DOTTED.exec(input);
  if (dotted) {
    const hex = `${dotted[1]}${dotted[2]}${dotted[3]}`.toLowerCase();
    return hex.match(/../g)!.join(':');
  }
  return null;
}

export const MAC_FORMAT_MESSAGE =
  'expected a MAC address as aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF or aabb.ccdd.eeff (hex digits only)';

export const macSchema = z.string().transform((value, ctx) => {
  const mac = normalizeMac(value);
  if (mac === null) {
    ctx.addIssue({ code: 'custom', message: MAC_FORMAT_MESSAGE });
    return z.NEVER;
  }
  return mac;
});
