import { isIPv6 } from 'node:net';
import { parseIpv4 } from '@lanctl/model';

/** The request header nginx sets to `$remote_addr`. */
export const REAL_IP_HEADER = 'X-Real-IP';

export type RealIp =
  | { ok: true; ip: string }
  | { ok: false; problem: 'missing' | 'invalid'; message: string };

const MAPPED = '::ffff:';

/**
 * Classifies one `X-Real-IP` value (undefined: absent): an IPv4 dotted quad (an IPv4-mapped IPv6
 * address counts as its IPv4 address, as nginx reports them on a dual-stack socket) or an IPv6
 * address (valid, but no machine has one). Anything else, a list included, is invalid.
 */
export function classifyRealIp(value: string | undefined): RealIp {
  if (value === undefined || value === '')
    return {
      ok: false,
      problem: 'missing',
      message: `${REAL_IP_HEADER}: missing header (nginx must set it to $remote_addr)`,
    };
  if (value.length <= 45) {
    if (parseIpv4(value) !== null) return { ok: true, ip: value };
    if (isIPv6(value)) {
      const lower = value.toLowerCase();
      if (lower.startsWith(MAPPED) && parseIpv4(lower.slice(MAPPED.length)) !== null)
        return { ok: true, ip: lower.slice(MAPPED.length) };
      return { ok: true, ip: lower };
    }
  }
  return {
    ok: false,
    problem: 'invalid',
    message: `${REAL_IP_HEADER}: expected one IPv4 or IPv6 address, got ${JSON.stringify(value.slice(0, 64))}`,
  };
}

/**
 * The `X-Real-IP` value from node's raw header list, without building `req.headers`: undefined
 * when absent; repeated headers are joined with ", " as node does (and then are invalid).
 */
export function realIpOf(rawHeaders: readonly string[]): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length === 9 && (name === 'X-Real-IP' || name.toLowerCase() === 'x-real-ip')) {
      const value = rawHeaders[i + 1] as string;
      found = found === undefined ? value : `${found}, ${value}`;
    }
  }
  return found;
}
