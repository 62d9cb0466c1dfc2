import { listenSchema } from '@lanctl/core';
import { hostnameSchema } from '@lanctl/model';
import { z } from 'zod';

/** Loopback only: /healthz and /metrics of the workstation daemon. */
export const DEFAULT_PRESENCED_PORT = 20061;

/** Below this uid are root and the system users: they always pass, whatever the config says. */
export const FIRST_REGULAR_UID = 1000;

const absolute = z.string().regex(/^\//, 'expected an absolute path');

/** SADM's lanctl users: udb allocates uids in [10000, 19999]. */
const managedUidsSchema = z
  .object({
    min: z.number().int().min(FIRST_REGULAR_UID).default(10_000),
    max: z.number().int().max(0x7fff_fffe).default(19_999),
  })
  .strict()
  .prefault({})
  .refine((r) => r.min <= r.max, { message: 'min must not be above max', path: ['max'] });

/** /etc/lanctl/presenced.yml: read by the heartbeat daemon and by the PAM helper. */
export const presencedConfigSchema = z
  .object({
    /** Origin of the presence service. */
    presence_url: z.url({ protocol: /^https?$/ }).default('http://presence:20060'),
    /** This machine's token: `lanctl token create --name ws-<host> --role reader --host <host>` (or a shared `--scope presence:write`). */
    token_file: z.string().min(1).default('/etc/lanctl/presenced.token'),
    /** This workstation's name in mdb; null: the system hostname without its last `.suffix`. */
    hostname: hostnameSchema.nullable().default(null),
    /** Heartbeat period (SADM: presence timeout / 2 = 15). */
    interval_seconds: z.number().min(0.1).max(3600).default(15),
    /** First retry after a failed heartbeat (SADM: 2), doubled while it fails, up to the interval. */
    retry_seconds: z.number().min(0.1).max(3600).default(2),
    /** Limit of each request to presence (the PAM helper makes the greeter wait that long at most). */
    request_timeout_seconds: z.number().min(0.1).max(120).default(5),
    /** Users whose sessions presence controls; everyone else is left alone. */
    managed_uids: managedUidsSchema,
    /** Who is logged in: the utmp file `who` reads. */
    utmp_file: absolute.default('/run/utmp'),
    /** Skip utmp entries whose process is gone (as `who` does on the system utmp). */
    check_pids: z.boolean().default(true),
    listen: listenSchema(DEFAULT_PRESENCED_PORT),
  })
  .strict();

export type PresencedConfig = z.output<typeof presencedConfigSchema>;
