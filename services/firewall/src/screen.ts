import { formatIpv4, parseIpv4, prefixMask } from '@lanctl/model';

/**
 * What a set can hold, pure: an `ipset restore` stops at the first element the kernel refuses
 * (before the swap), so one such address would block every update. Such addresses are left out,
 * with a reason, and the rest is applied. nftables' `type ipv4_addr` (no `interval` flag, which
 * the service's `add set` would refuse anyway) takes any IPv4 address, duplicates included.
 */
export type SkipReason = 'out_of_range' | 'null_address';
export const SKIP_REASONS: readonly SkipReason[] = ['out_of_range', 'null_address'];

export interface Skipped {
  ip: string;
  reason: SkipReason;
  /** For humans: why the set cannot hold it. */
  detail: string;
}

export interface Screened {
  kept: string[];
  skipped: Skipped[];
}

/** An inclusive range of addresses, as integers. */
export interface Ipv4Range {
  first: number;
  last: number;
}

/**
 * The `range` of a bitmap ipset's create arguments (`range A-B` or `range A/N`, as `ipset create`
 * takes it; a CIDR's host bits are ignored, as ipset does); null when absent or malformed.
 */
export function bitmapRange(type: string): Ipv4Range | null {
  const words = type.trim().split(/\s+/);
  const at = words.indexOf('range');
  const spec = at >= 0 ? words[at + 1] : undefined;
  if (spec === undefined) return null;
  const cidr = /^([0-9.]+)\/(\d{1,2})$/.exec(spec);
  if (cidr) {
    const ip = parseIpv4(cidr[1]!);
    const prefix = Number(cidr[2]);
    if (ip === null || prefix > 32) return null;
    const first = (ip & prefixMask(prefix)) >>> 0;
    return { first, last: first + 2 ** (32 - prefix) - 1 };
  }
  const [from, to, extra] = spec.split('-');
  if (from === undefined || to === undefined || extra !== undefined) return null;
  const first = parseIpv4(from);
  const last = parseIpv4(to);
  if (first === null || last === null || first > last) return null;
  return { first, last };
}

const formatRange = (r: Ipv4Range) => `${formatIpv4(r.first)}-${formatIpv4(r.last)}`;

/**
 * The screen of an ipset of create arguments `type`: a `bitmap:ip` holds only its range; a
 * `hash:ip` refuses 0.0.0.0 ("Null-valued element"). Throws on a bitmap without a valid range
 * (the config schema refuses it first).
 */
export function ipsetScreen(type: string): (addresses: readonly string[]) => Screened {
  const bitmap = type.startsWith('bitmap:');
  const range = bitmap ? bitmapRange(type) : null;
  if (bitmap && range === null) throw new Error(`ipset.type: "${type}" has no valid range`);
  return (addresses) => {
    const screened: Screened = { kept: [], skipped: [] };
    for (const ip of addresses) {
      const value = parseIpv4(ip);
      if (range && (value === null || value < range.first || value > range.last)) {
        const detail = `outside the bitmap set's range ${formatRange(range)}`;
        screened.skipped.push({ ip, reason: 'out_of_range', detail });
      } else if (!bitmap && value === 0) {
        const detail = 'a hash set cannot store the null address';
        screened.skipped.push({ ip, reason: 'null_address', detail });
      } else {
        screened.kept.push(ip);
      }
    }
    return screened;
  };
}

/** nftables' `type ipv4_addr` set: every IPv4 address fits. */
export const keepAll = (addresses: readonly string[]): Screened => ({
  kept: [...addresses],
  skipped: [],
});
