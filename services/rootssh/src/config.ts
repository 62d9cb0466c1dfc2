import { z } from 'zod';

/** /healthz and /metrics (next to passwd's 20091: SADM's rootssh client had no port). */
export const DEFAULT_ROOTSSH_PORT = 20092;

/** /etc/lanctl/rootssh.yml */
export const rootsshConfigSchema = z
  .object({
    /** Origin of udb's sync port (or of a relay): the `users` stream is under /api/v1/sync/. */
    upstream: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:20090'),
    /**
     * A token of udb's signing key with `users:read` (no hashes needed), read at every
     * connection: `lanctl token create --name rootssh --role reader`.
     */
    token_file: z.string().min(1).default('/etc/lanctl/rootssh.token'),
    /** The root whose root/.ssh/authorized_keys is written: `/`, or `/export/nfsroot`. */
    root: z.string().regex(/^\//, 'expected an absolute path').default('/'),
    /** The last good copy of the stream, so a restart writes the same keys while udb is down. */
    state_file: z.string().min(1).default('/var/lib/lanctl/rootssh/users.json'),
    listen: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(DEFAULT_ROOTSSH_PORT),
      })
      .strict()
      .prefault({}),
    /** Re-render from the last state this often (heals hand edits of the block, retries); 0: never. */
    reapply_seconds: z.number().int().min(0).max(86_400).default(60),
  })
  .strict();

export type RootsshConfig = z.output<typeof rootsshConfigSchema>;
