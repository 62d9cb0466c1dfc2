import { z } from 'zod';

/** /healthz and /metrics (udbsync's port + 1: SADM's writer had no port of its own). */
export const DEFAULT_PASSWD_PORT = 20091;

/** /etc/lanctl/passwd.yml (an instance `lanctl-passwd@<i>` reads /etc/lanctl/passwd-<i>.yml). */
export const passwdConfigSchema = z
  .object({
    /** Origin of udb's sync port (or of a relay): the `users` stream is under /api/v1/sync/. */
    upstream: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:20090'),
    /**
     * A token of udb's signing key with the `users:read` and `users:hashes` scopes, read at every
     * connection: `lanctl token create --name passwd --role reader --scope users:hashes`.
     */
    token_file: z.string().min(1).default('/etc/lanctl/passwd.token'),
    /** The root whose etc/passwd, shadow, group and gshadow are written: `/`, `/export/nfsroot`. */
    root: z.string().regex(/^\//, 'expected an absolute path').default('/'),
    /** The last good copy of the stream, so a restart writes the same files while udb is down. */
    state_file: z.string().min(1).default('/var/lib/lanctl/passwd/users.json'),
    /** [start, end): uids (and gids) this writer owns; every other entry is left alone. */
    managed_uids: z
      .tuple([
        z.number().int().min(1),
        z
          .number()
          .int()
          .max(2 ** 32 - 2),
      ])
      .refine(([start, end]) => start < end, 'expected [start, end) with start < end')
      .default([10000, 20000]),
    listen: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(DEFAULT_PASSWD_PORT),
      })
      .strict()
      .prefault({}),
    /**
     * Re-render from the last state this often even without news (heals hand edits of managed
     * entries, retries after a refused or failed write); 0: only on stream updates.
     */
    reapply_seconds: z.number().int().min(0).max(86_400).default(60),
  })
  .strict();

export type PasswdConfig = z.output<typeof passwdConfigSchema>;
