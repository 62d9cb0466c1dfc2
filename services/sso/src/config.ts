import { listenSchema } from '@lanctl/core';
import { hostnameSchema, loginSchema } from '@lanctl/model';
import { z } from 'zod';
import { usermapConfigSchema } from './usermap/index.ts';

/** SADM's presencesync_sso port; nginx on the same host calls it for every protected request. */
export const DEFAULT_SSO_PORT = 20131;

const absolute = z.string().regex(/^\//, 'expected an absolute path');
const origin = z.url({ protocol: /^https?$/ });

/**
 * `overrides`: hostname → login, SADM's kiosks and organizers' laptops (a login no presence
 * session vouches for). Host names are lower-cased; each must be a host label and each login a
 * udb login. Only effective for hostnames that exist in mdb.
 */
const overridesSchema = z
  .record(z.string(), loginSchema)
  .default({})
  .transform((record, ctx) => {
    const normalized: Record<string, string> = {};
    for (const [key, login] of Object.entries(record)) {
      const parsed = hostnameSchema.safeParse(key);
      if (!parsed.success) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: parsed.error.issues[0]?.message ?? 'invalid hostname',
        });
        continue;
      }
      if (Object.hasOwn(normalized, parsed.data)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${parsed.data} is given twice` });
        continue;
      }
      normalized[parsed.data] = login;
    }
    return normalized as Readonly<Record<string, string>>;
  });

/** /etc/lanctl/sso.yml */
export const ssoConfigSchema = z
  .object({
    listen: listenSchema(DEFAULT_SSO_PORT),
    /** Origin of mdb's sync port (or a relay's): the `machines` and `rooms` streams. */
    mdb_upstream: origin.default('http://127.0.0.1:20010'),
    /** Origin of udb's sync port (or a relay's): the `users` stream. */
    udb_upstream: origin.default('http://127.0.0.1:20090'),
    /** Origin of the presence service: the `presence` stream. */
    presence_upstream: origin.default('http://127.0.0.1:20060'),
    /** A reader token (scopes `read`, `users:read`): `lanctl token create --name sso --role reader`. */
    token_file: z.string().min(1).default('/etc/lanctl/sso.token'),
    /** machines.json, rooms.json, users.json, presence.json: the last good tables. */
    state_dir: absolute.default('/var/lib/lanctl/sso'),
    overrides: overridesSchema,
    /** The room map served at /usermap (src/usermap/config.ts). */
    usermap: usermapConfigSchema,
  })
  .strict();

export type SsoConfig = z.output<typeof ssoConfigSchema>;
