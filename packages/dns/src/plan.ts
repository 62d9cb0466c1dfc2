import { cidrSchema, ipv4Schema, isHostLabel, parseIpv4 } from '@lanctl/model';
import { z } from 'zod';

/** A domain name without the trailing dot, lower-cased: `prolo`, `lan.example.org`. */
export const domainSchema = z
  .string()
  .transform((v) => v.toLowerCase().replace(/\.$/, ''))
  .refine(
    (v) => v.length > 0 && v.length <= 200 && v.split('.').every(isHostLabel),
    'expected a domain name made of RFC 1123 labels, e.g. prolo',
  );

const labelSchema = z
  .string()
  .transform((v) => v.toLowerCase())
  .refine(isHostLabel, 'expected an RFC 1123 host label, e.g. ns');

const ttlSchema = z
  .number()
  .int('expected an integer')
  .min(0)
  .max(2 ** 31 - 1);
const u32 = z
  .number()
  .int('expected an integer')
  .min(0)
  .max(2 ** 32 - 1);

/** `a.b.c.d` (port 53) or `a.b.c.d:port`. */
export const upstreamSchema = z
  .string()
  .refine(
    (v) => parseUpstream(v) !== null,
    'expected an IPv4 address with an optional port, e.g. 192.168.1.1 or 127.0.0.1:5353',
  );

export interface Upstream {
  address: string;
  port: number;
}

/** Parses an `upstreams` entry (`ip` or `ip:port`), or null. */
export function parseUpstream(text: string): Upstream | null {
  const [address, port, extra] = text.split(':');
  if (address === undefined || extra !== undefined || parseIpv4(address) === null) return null;
  if (port === undefined) return { address, port: 53 };
  if (!/^[1-9]\d{0,4}$/.test(port) || Number(port) > 65535) return null;
  return { address, port: Number(port) };
}

/**
 * What the DNS serves besides the machine table (SADM's mdbdns + named.conf). Shared by the
 * native server (services/dns) and the BIND generator (services/confgen).
 */
export const dnsPlanSchema = z
  .object({
    /** The LAN's domain, without trailing dot. */
    zone: domainSchema.default('prolo'),
    /** TTL of every record (SADM: 10 s, so changes show up fast). */
    ttl: ttlSchema.default(10),
    /** SOA fields; `mname`/`rname` default to `<ns.name>.<zone>.` and `hostmaster.<ns.name>.<zone>.`. */
    soa: z
      .object({
        mname: domainSchema.optional(),
        rname: domainSchema.optional(),
        refresh: u32.default(1200),
        retry: u32.default(60),
        expire: u32.default(360000),
        /** Negative-caching TTL (RFC 2308). */
        minimum: u32.default(10),
      })
      .strict()
      .prefault({}),
    /** The name server itself (the gateway): `NS <name>.<zone>.` and its A record. */
    ns: z
      .object({
        name: labelSchema.default('ns'),
        address: ipv4Schema.default('192.168.1.254'),
      })
      .strict()
      .prefault({}),
    /** Unregistered machines' network: its own view of the zone and its reverse zones. */
    alien: z
      .object({
        /** Networks whose reverse zone holds `unknown-<n>.alien.<zone>.` names. */
        networks: z.array(cidrSchema).default(['192.168.250.0/24']),
        /** Source networks answered from the alien view; defaults to `networks`. */
        clients: z.array(cidrSchema).optional(),
        /** The only names of the alien view's zone (label → IPv4). */
        records: z
          .record(labelSchema, ipv4Schema)
          .default({ netboot: '192.168.250.254', ns: '192.168.250.254' }),
      })
      .strict()
      .prefault({}),
    /** Clients allowed to query (SADM's `trusted` ACL); others are REFUSED. */
    allow: z.array(cidrSchema).default(['127.0.0.0/8', '192.168.0.0/16']),
    /** Resolvers for names outside our zones; empty: those queries are REFUSED. */
    upstreams: z.array(upstreamSchema).default([]),
  })
  .strict();

export type DnsPlan = z.output<typeof dnsPlanSchema>;
export type DnsPlanInput = z.input<typeof dnsPlanSchema>;

/** The networks whose clients get the alien view. */
export function alienClients(plan: DnsPlan): string[] {
  return plan.alien.clients ?? plan.alien.networks;
}
