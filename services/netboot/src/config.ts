import { isIP } from 'node:net';
import { listenSchema } from '@lanctl/core';
import { parseCidr } from '@lanctl/model';
import { z } from 'zod';

/** SADM's netboot port (behind nginx's `netboot` virtual host). */
export const DEFAULT_NETBOOT_PORT = 20020;

const absolute = z.string().regex(/^\//, 'expected an absolute path');
const cidr = z.string().refine((s) => parseCidr(s) !== null, 'expected an IPv4 network a.b.c.d/n');
const httpUrl = z
  .url({ protocol: /^https?$/ })
  .refine((u) => !/[\s"'$|&#;\\]/.test(u), 'expected no spaces, quotes or iPXE special characters')
  .transform((u) => u.replace(/\/+$/, ''));
const seconds = (max: number) => z.number().int().min(1).max(max);

/** One RFS: where its boot files are, and the address its NFS root is mounted from. */
const rfsSchema = z
  .object({
    /**
     * Directory of its boot files, served by this service at `<public_url>/files/rfs<N>/`. Unset:
     * `/files/rfs<N>/<file>` redirects to `files.url_template` (SADM: the RFS's own nginx).
     */
    boot_dir: absolute.nullable().default(null),
    /** NFS server address for `nfsroot=`; unset: the mdb machine named (or aliased) `rfs<N>`. */
    nfs_ip: z.ipv4().nullable().default(null),
  })
  .strict();

/** /etc/lanctl/netboot.yml */
export const netbootConfigSchema = z
  .object({
    listen: listenSchema(DEFAULT_NETBOOT_PORT),
    /** Base URL iPXE uses to reach this service (SADM: the `netboot` host through nginx). */
    public_url: httpUrl.default('http://netboot'),
    /** Origin of mdb's sync port (or a relay's): machines, switches, rooms, types, boot profiles. */
    upstream: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:20010'),
    /** mdb's API, for registrations (and the self-registration setting). */
    mdb_url: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:20000'),
    /**
     * A service token with scopes read and machines:register:
     * `lanctl token create --name netboot --role reader --scope read --scope machines:register`.
     */
    token_file: z.string().min(1).default('/etc/lanctl/netboot.token'),
    auth: z
      .object({ public_key_file: z.string().min(1).default('/etc/lanctl/token-signing.pub') })
      .strict()
      .prefault({}),
    /** Stream state files (last good tables) and events.sqlite (the boot timeline's HTTP part). */
    state_dir: absolute.default('/var/lib/lanctl/netboot'),
    /** Registration is accepted only from these networks (SADM's alien range). */
    alien_networks: z.array(cidr).min(1).default(['192.168.250.0/24']),
    /** Peers whose X-Real-IP is believed (nginx); from anyone else it is ignored. */
    trusted_proxies: z
      .array(z.string().refine((s) => isIP(s) !== 0, 'expected an IP address'))
      .default(['127.0.0.1', '::1']),
    /** RFS number → its boot files and NFS address. RFS numbers absent here use the defaults. */
    rfs: z.record(z.string().regex(/^\d{1,3}$/, 'expected an RFS number'), rfsSchema).default({}),
    nfs: z
      .object({
        /** Exported root (SADM: /export/nfsroot, read-only). */
        export: absolute.default('/export/nfsroot'),
        options: z
          .string()
          .regex(/^[a-z0-9=,_-]*$/, 'expected NFS mount options such as ro,vers=3')
          .default('ro'),
      })
      .strict()
      .prefault({}),
    files: z
      .object({
        /** Where a boot file of an RFS without `boot_dir` is: `{n}` is the RFS number (SADM). */
        url_template: httpUrl.default('http://rfs{n}/boot'),
        /** Large transfers (≥ large_bytes) at once per RFS; more wait in a queue (boot storms). */
        max_concurrent: z.number().int().min(1).max(10_000).default(64),
        /**
         * Bodies of at least this size wait for a slot: one read buffer's worth (256 KiB), so
         * that only what is sent in one write skips the queue and no unqueued transfer holds
         * more than one buffer.
         */
        large_bytes: z
          .number()
          .int()
          .min(0)
          .default(256 * 1024),
        /** Under nginx's proxy_read_timeout (60 s in nginx/lanctl-proxy.conf). */
        queue_timeout_seconds: seconds(600).default(45),
        max_queue: z.number().int().min(0).max(100_000).default(1000),
      })
      .strict()
      .prefault({}),
    delays: z
      .object({
        /** A faulty machine shows its reason, then asks again after this long. */
        faulty_seconds: seconds(3600).default(60),
        /** No boot profile, no such RFS, mdb unreachable: message, then ask again. */
        retry_seconds: seconds(3600).default(30),
        /** A boot file that failed (e.g. 503 during a boot storm): retried after this + jitter. */
        file_retry_seconds: seconds(600).default(5),
        /** Waiting for the switch's LLDP announcement before falling back to manual entry. */
        lldp_wait_seconds: seconds(600).default(60),
        /** The menu's default item (a room's next planned machine) is taken after this long. */
        menu_timeout_seconds: seconds(3600).default(15),
      })
      .strict()
      .prefault({}),
    registration: z
      .object({
        /**
         * Types a machine may give itself at its screen (SADM's menu also offered `service`:
         * servers get their address from the service pool, so a root adds them instead).
         */
        mtypes: z
          .array(z.string().regex(/^[a-z0-9-]+$/, 'expected a machine type name'))
          .default(['user', 'orga']),
        /** Registration attempts per source address per minute, and from everyone per minute. */
        per_address_per_minute: z.number().int().min(1).max(10_000).default(6),
        per_minute: z.number().int().min(1).max(100_000).default(300),
        /** Hostnames nobody may take from a machine's screen (regular expressions, whole name). */
        reserved_hostnames: z
          .array(
            z.string().refine((r) => {
              try {
                new RegExp(r);
                return true;
              } catch {
                return false;
              }
            }, 'expected a regular expression'),
          )
          .default(['r?h?fs\\d+', 'gw|ns|netboot|mdb|udb|sso|rfs|hfs|monitoring']),
      })
      .strict()
      .prefault({}),
    /** Banner shown at the top of every script (the site's name). */
    banner: z
      .string()
      .max(80)
      .regex(/^[\x20-\x7e]*$/, 'expected printable ASCII')
      .default('lanctl netboot'),
    /** The boot timeline: DHCP's and TFTP's HTTP APIs (null: that part is left out). */
    timeline: z
      .object({
        dhcp_url: z
          .url({ protocol: /^https?$/ })
          .nullable()
          .default('http://127.0.0.1:20040'),
        tftp_url: z
          .url({ protocol: /^https?$/ })
          .nullable()
          .default('http://127.0.0.1:20069'),
        max_events: z.number().int().min(1000).max(10_000_000).default(500_000),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type NetbootConfig = z.output<typeof netbootConfigSchema>;
