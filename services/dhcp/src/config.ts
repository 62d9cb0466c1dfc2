import { listenSchema } from '@lanctl/core';
import { dhcpPlanSchema } from '@lanctl/dhcp-wire';
import { ipv4Schema, nameSchema } from '@lanctl/model';
import { z } from 'zod';

/** /healthz, /metrics and the API: SADM's mdbdhcp port. */
export const DEFAULT_DHCP_HTTP_PORT = 20040;

/** /etc/lanctl/dhcp.yml */
export const dhcpConfigSchema = z
  .object({
    /** The DHCP socket: every address on port 67 (one listener per interface address also works). */
    listen: z
      .object({
        host: ipv4Schema.default('0.0.0.0'),
        port: z.number().int().min(0).max(65535).default(67),
      })
      .strict()
      .prefault({}),
    /**
     * Option 54 (and the address relays and renewing clients talk to). null: per subnet, this
     * host's own address in that subnet, else its first address in any subnet of the plan.
     */
    server_id: ipv4Schema.nullable().default(null),
    /**
     * Where broadcast replies go. `auto`: 255.255.255.255, falling back (once, logged and counted)
     * to the subnet's directed broadcast address when the host has no route for it (ENETUNREACH);
     * `limited`: 255.255.255.255 only; `directed`: the subnet's broadcast address only.
     */
    broadcast: z.enum(['auto', 'limited', 'directed']).default('auto'),
    /**
     * The subnet of direct (non-relayed) requests from unknown clients that name no address of
     * their own: null picks the subnet with a dynamic range that holds one of this host's
     * addresses, else the first one with a dynamic range.
     */
    default_subnet: nameSchema.nullable().default(null),
    plan: dhcpPlanSchema,
    /** Origin of mdb's sync port (or a relay's): the `machines` stream. */
    upstream: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:20010'),
    /** A token with the `read` scope: `lanctl token create --name dhcp --role reader`. */
    token_file: z.string().min(1).default('/etc/lanctl/dhcp.token'),
    /** machines.json (last good machine table) and leases.sqlite (leases and boot events). */
    state_dir: z.string().regex(/^\//, 'expected an absolute path').default('/var/lib/lanctl/dhcp'),
    http: z
      .object({ listen: listenSchema(DEFAULT_DHCP_HTTP_PORT) })
      .strict()
      .prefault({}),
    auth: z
      .object({
        public_key_file: z.string().min(1).default('/etc/lanctl/token-signing.pub'),
      })
      .strict()
      .prefault({}),
    leases: z
      .object({
        /** How long an offered address is held for the client's REQUEST. */
        offer_hold_seconds: z.number().int().min(1).max(3600).default(60),
        /** How long a DECLINEd address (in use by someone else) is not handed out. */
        decline_quarantine_seconds: z
          .number()
          .int()
          .min(0)
          .max(86_400 * 7)
          .default(600),
        /** Group commit: writes arriving within this window share one transaction (and fsync). */
        commit_window_ms: z.number().int().min(0).max(100).default(2),
      })
      .strict()
      .prefault({}),
    boot_events: z
      .object({
        per_mac: z.number().int().min(1).max(100_000).default(1000),
        max_age_days: z.number().min(0.01).max(365).default(7),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const name = config.default_subnet;
    if (name === null) return;
    const subnet = config.plan.subnets.find((s) => s.name === name);
    if (!subnet) {
      ctx.addIssue({
        code: 'custom',
        path: ['default_subnet'],
        message: `no subnet ${name} in plan.subnets`,
      });
    } else if (!subnet.dynamic) {
      ctx.addIssue({
        code: 'custom',
        path: ['default_subnet'],
        message: `subnet ${name} has no dynamic range`,
      });
    }
  });

export type DhcpConfig = z.output<typeof dhcpConfigSchema>;
