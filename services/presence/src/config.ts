import { listenSchema } from '@lanctl/core';
import { z } from 'zod';

/** SADM's presencesync port: API, native stream, SADM's /poll, /healthz and /metrics. */
export const DEFAULT_PRESENCE_PORT = 20060;

const absolute = z.string().regex(/^\//, 'expected an absolute path');

/** /etc/lanctl/presence.yml */
export const presenceConfigSchema = z
  .object({
    listen: listenSchema(DEFAULT_PRESENCE_PORT),
    /** A session not refreshed by a heartbeat for this long ends (SADM: 30). */
    timeout_seconds: z.number().int().min(2).max(3600).default(30),
    /** Origin of mdb's sync port (or a relay's): the `machines` stream. */
    mdb_upstream: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:20010'),
    /** Origin of udb's sync port (or a relay's): the `users` stream. */
    udb_upstream: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:20090'),
    /** A token with the `read` and `users:read` scopes: `lanctl token create --name presence --role reader`. */
    token_file: z.string().min(1).default('/etc/lanctl/presence.token'),
    /** machines.json and users.json: the last good tables, served while mdb or udb is down. */
    state_dir: absolute.default('/var/lib/lanctl/presence'),
    auth: z
      .object({
        public_key_file: z.string().min(1).default('/etc/lanctl/token-signing.pub'),
      })
      .strict()
      .prefault({}),
    sadm: z
      .object({
        /** SADM's presencesync `sub_secret` (for `/poll` subscribers); null: no `/poll`. */
        sub_secret_file: absolute.nullable().default(null),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type PresenceConfig = z.output<typeof presenceConfigSchema>;
