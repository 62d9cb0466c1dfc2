import { z } from 'zod';

const DOTTED = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Parses a dotted-quad IPv4 address to an unsigned 32-bit integer, or null. No leading zeros. */
export function parseIpv4(text: string): number | null {
  if (!DOTTED.test(text)) return null;
  return text.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

export function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** The mask of a prefix length (0–32) as an unsigned 32-bit integer: 24 → 0xffffff00. */
export function prefixMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export interface Cidr {
  /** Network address as an integer. */
  network: number;
  prefix: number;
  /** Broadcast address as an integer. */
  broadcast: number;
}

/** Parses `a.b.c.d/n`; the address must be the network address itself (host bits zero). */
export function parseCidr(text: string): Cidr | null {
  const [addr, len, extra] = text.split('/');
  if (
    addr === undefined ||
    len === undefined ||
    extra !== undefined ||
    !/^(0|[1-9]\d?)$/.test(len)
  ) {
    return null;
  }
  const prefix = Number(len);
  const ip = parseIpv4(addr);
  if (ip === null || prefix > 32) return null;
  const size = 2 ** (32 - prefix);
  if (ip % size !== 0) return null;
  return { network: ip, prefix, broadcast: ip + size - 1 };
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIpv4(cidr.network)}/${cidr.prefix}`;
}

/** The addresses a pool may hand out: all but network and broadcast (except /31 and /32). */
export function hostRange(cidr: Cidr): { first: number; last: number } {
  if (cidr.prefix >= 31) return { first: cidr.network, last: cidr.broadcast };
  return { first: cidr.network + 1, last: cidr.broadcast - 1 };
}

export const cidrContains = (cidr: Cidr, ip: number) => ip >= cidr.network && ip <= cidr.broadcast;

export const ipv4Schema = z
  .string()
  .refine(
    (v) => parseIpv4(v) !== null,
    'expected an IPv4 address in dotted-quad form, e.g. 192.168.0.12',
  );

export const cidrSchema = z
  .string()
  .refine(
    (v) => parseCidr(v) !== null,
    'expected an IPv4 network in CIDR form with host bits zero, e.g. 192.168.0.0/24',
  );
