import { dhcpPlanSchema } from '@lanctl/dhcp-wire';
import { dnsPlanSchema } from '@lanctl/dns-wire';
import { z } from 'zod';

/** /healthz and /metrics of `lanctl serve confgen` (next to mdb's sync port, 20010). */
export const DEFAULT_CONFGEN_PORT = 20013;

const absolute = z.string().regex(/^\//, 'expected an absolute path');
/** A command as an argv array (no shell); `{file}` / `{zone}` are replaced where documented. */
const command = z.array(z.string().min(1)).min(1, 'expected [program, args...]');
const nullableCommand = command.nullable();

export const keaOutputSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** The whole kea-dhcp4 configuration (Kea 2.2 JSON). */
    path: absolute.default('/etc/kea/kea-dhcp4.conf'),
    lease_file: absolute.default('/var/lib/kea/kea-leases4.csv'),
    /** Kea's control socket (`config-reload` through it is what `reload` may use). */
    control_socket: absolute.default('/run/kea/kea4-ctrl-socket'),
    /** Validates the candidate file, `{file}` replaced by its path; null: no check. */
    check: nullableCommand.default(['kea-dhcp4', '-t', '{file}']),
    /** Applies a changed file without a restart (Kea re-reads its config on SIGHUP). */
    reload: nullableCommand.default(['systemctl', 'reload', 'kea-dhcp4-server.service']),
  })
  .strict();

export const dnsmasqOutputSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** One `dhcp-host` file per machine; dnsmasq re-reads it by inotify (no reload needed). */
    hostsdir: absolute.default('/etc/dnsmasq.d/lanctl-hosts'),
    /** The fragment with subnets, boot policy and alien ranges (`conf-file=` it from dnsmasq.conf). */
    conf_path: absolute.default('/etc/dnsmasq.d/lanctl.conf'),
    check: nullableCommand.default(['dnsmasq', '--test', '--conf-file={file}']),
    /** Run when the fragment changed (SIGHUP does not re-read it: a restart); null: none. */
    reload: nullableCommand.default(['systemctl', 'restart', 'dnsmasq.service']),
    /**
     * Run when a host file was changed or removed: dnsmasq's inotify only adds hosts, a SIGHUP
     * drops the old ones. Not run when files were only added.
     */
    reload_hosts: nullableCommand.default(['systemctl', 'kill', '--signal=HUP', 'dnsmasq.service']),
  })
  .strict();

export const bindOutputSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** Zone files, `<view>.<origin>zone` each; stale `*.zone` files of this directory are removed. */
    zone_dir: absolute.default('/etc/bind/lanctl'),
    /** The `view` fragment to `include` from named.conf (in zone_dir: one writable directory). */
    conf_path: absolute.default('/etc/bind/lanctl/views.conf'),
    /** `{zone}` and `{file}` replaced; null: no check. */
    check_zone: nullableCommand.default(['named-checkzone', '{zone}', '{file}']),
    check_conf: nullableCommand.default(['named-checkconf', '{file}']),
    /** Run once per changed zone, `{zone}` and `{view}` replaced. */
    reload_zone: nullableCommand.default(['rndc', 'reload', '{zone}', 'IN', '{view}']),
    /**
     * Files `include`d at the top of each view (with views, every zone must be in one: e.g.
     * `/etc/bind/named.conf.default-zones` for the normal view's root hints and localhost zones).
     */
    includes: z
      .object({ normal: z.array(absolute).default([]), alien: z.array(absolute).default([]) })
      .strict()
      .prefault({}),
    /** Run when the views fragment changed. */
    reload_conf: nullableCommand.default(['rndc', 'reconfig']),
  })
  .strict();

export const dhcpdOutputSchema = z
  .object({
    enabled: z.boolean().default(false),
    /** SADM's generated.conf, `include`d from dhcpd.conf. */
    path: absolute.default('/etc/dhcpd/generated.conf'),
    /** `{file}` replaced; the main dhcpd.conf must include `path` for `-t` to see the hosts. */
    check: nullableCommand.default(['dhcpd', '-t', '-cf', '{file}']),
    /** dhcpd has no reload: a restart, at most one per `restart_min_interval_seconds`. */
    restart: nullableCommand.default(['systemctl', 'restart', 'isc-dhcp-server.service']),
    restart_min_interval_seconds: z.number().int().min(0).max(3600).default(10),
  })
  .strict();

/** /etc/lanctl/confgen.yml, read by `lanctl serve confgen` and `lanctl dhcp|dns render|diff`. */
export const confgenConfigSchema = z
  .object({
    /** Origin of mdb's sync port (or a relay): the `machines` and `pools` streams. */
    upstream: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:20010'),
    /** A token with scope `read` (mdb's signing key), read at every connection. */
    token_file: z.string().min(1).default('/etc/lanctl/confgen.token'),
    /** Last good copies of the streams and the zone serials. */
    state_dir: absolute.default('/var/lib/lanctl/confgen'),
    listen: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(DEFAULT_CONFGEN_PORT),
      })
      .strict()
      .prefault({}),
    /** Quiet time after a batch before rendering (bursts of changes make one apply). */
    debounce_ms: z.number().int().min(0).max(60_000).default(200),
    /** Re-apply the last state this often (retries after a failed check or reload); 0: never. */
    reapply_seconds: z.number().int().min(0).max(86_400).default(300),
    /** Upper bound of every check and reload command. */
    command_timeout_seconds: z.number().int().min(1).max(600).default(30),
    /** The DHCP plan (the same schema as the native DHCP server's `plan`). */
    dhcp: dhcpPlanSchema.optional(),
    /** The DNS plan (the same schema as the native DNS server's `plan`). */
    dns: dnsPlanSchema.optional(),
    kea: keaOutputSchema.prefault({}),
    dnsmasq: dnsmasqOutputSchema.prefault({}),
    bind: bindOutputSchema.prefault({}),
    dhcpd: dhcpdOutputSchema.prefault({}),
  })
  .strict()
  .superRefine((c, ctx) => {
    for (const name of ['kea', 'dnsmasq', 'dhcpd'] as const) {
      if (c[name].enabled && !c.dhcp) {
        ctx.addIssue({
          code: 'custom',
          path: ['dhcp'],
          message: `required when ${name} is enabled`,
        });
      }
    }
    if (c.bind.enabled && !c.dns) {
      ctx.addIssue({ code: 'custom', path: ['dns'], message: 'required when bind is enabled' });
    }
  });

export type ConfgenConfig = z.output<typeof confgenConfigSchema>;
export type KeaOutput = z.output<typeof keaOutputSchema>;
export type DnsmasqOutput = z.output<typeof dnsmasqOutputSchema>;
export type BindOutput = z.output<typeof bindOutputSchema>;
export type DhcpdOutput = z.output<typeof dhcpdOutputSchema>;
