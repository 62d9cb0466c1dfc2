import { listenSchema } from '@lanctl/core';
import { groupSchema } from '@lanctl/model';
import { z } from 'zod';
import { bitmapRange } from './screen.ts';

/** The firewall's own port: /api/v1/firewall, /healthz and /metrics. */
export const DEFAULT_FIREWALL_PORT = 20150;

const absolute = z.string().regex(/^\//, 'expected an absolute path');
/** nft identifiers (table and set names). */
const nftName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'expected an nft name: a letter, then letters, digits, _');
/** ipset names: at most 31 characters, no spaces. */
const ipsetName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,30}$/,
    'expected an ipset name of 1-31 of A-Z a-z 0-9 _ . : -',
  );
const DEFAULT_TOKEN_FILE = '/etc/lanctl/firewall.token';

/** One upstream stream origin and the reader token it accepts. */
const upstream = (url: string) =>
  z
    .object({
      url: z.url({ protocol: /^https?$/ }).default(url),
      token_file: z.string().min(1).default(DEFAULT_TOKEN_FILE),
    })
    .strict()
    .prefault({});

/** /etc/lanctl/firewall.yml */
export const firewallConfigSchema = z
  .object({
    listen: listenSchema(DEFAULT_FIREWALL_PORT),
    upstreams: z
      .object({
        /** mdb's sync port: `machines` and `settings` (contest mode). */
        mdb: upstream('http://127.0.0.1:20010'),
        /** udb's sync port: `users` (token scopes `read`, `users:read`). */
        udb: upstream('http://127.0.0.1:20090'),
        /** presence: `presence`. */
        presence: upstream('http://127.0.0.1:20060'),
      })
      .strict()
      .prefault({}),
    /** The last good tables (machines, settings, users, presence), applied while upstream is down. */
    state_dir: absolute.default('/var/lib/lanctl/firewall'),
    /** Groups whose logged-in machines reach the internet; contest mode removes `user`. */
    allowed_groups: z.array(groupSchema).default(['root', 'orga', 'user']),
    backend: z.enum(['nftables', 'ipset']).default('nftables'),
    nftables: z
      .object({
        family: z.enum(['inet', 'ip']).default('inet'),
        table: nftName.default('lanctl'),
        set: nftName.default('allowed_internet'),
        command: z.string().min(1).default('nft'),
      })
      .strict()
      .prefault({}),
    ipset: z
      .object({
        /** SADM's names. */
        set: ipsetName.default('allowed-internet-access'),
        tmp_set: ipsetName.default('tmp-allowed-internet-access'),
        /**
         * The create arguments of both sets; they must match for the swap (SADM: `bitmap:ip range
         * 192.168.0.0/23`). Addresses a bitmap's range excludes are left out of the set, logged.
         */
        type: z
          .string()
          .regex(
            /^(hash|bitmap):ip( [a-z]+ [A-Za-z0-9./:-]+)*$/,
            'expected e.g. "hash:ip" or "bitmap:ip range 192.168.0.0/23"',
          )
          .refine((t) => !t.startsWith('bitmap:') || bitmapRange(t) !== null, {
            message: 'a bitmap:ip set needs its range, e.g. "bitmap:ip range 192.168.0.0/23"',
          })
          .refine((t) => !/\bfamily inet6\b/.test(t), {
            message: 'the set holds IPv4 addresses: family inet6 cannot hold them',
          })
          .default('hash:ip'),
        command: z.string().min(1).default('ipset'),
      })
      .strict()
      .refine((v) => v.set !== v.tmp_set, {
        message: 'set and tmp_set must differ',
        path: ['tmp_set'],
      })
      .prefault({}),
    /** The whole set is written again this often, repairing a manual flush or a ruleset reload. */
    reassert_seconds: z.number().int().min(5).max(3600).default(60),
    /** A failed apply is retried after this long (the previous set stays in place meanwhile). */
    retry_seconds: z.number().int().min(1).max(600).default(5),
    /** An `nft` or `ipset` run taking longer is killed and counted as a failure. */
    command_timeout_seconds: z.number().int().min(1).max(120).default(10),
    auth: z
      .object({
        public_key_file: z.string().min(1).default('/etc/lanctl/token-signing.pub'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type FirewallConfig = z.output<typeof firewallConfigSchema>;
export type Upstream = keyof FirewallConfig['upstreams'];
