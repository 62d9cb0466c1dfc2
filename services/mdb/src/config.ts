import { databaseSchema, listenSchema } from '@lanctl/core';
import { z } from 'zod';

export const DEFAULT_MDB_PORT = 20000;
/** SADM's mdbsync port: the change streams (native SSE and SADM's /poll). */
export const DEFAULT_MDB_SYNC_PORT = 20010;

/** /etc/lanctl/mdb.yml */
export const mdbConfigSchema = z
  .object({
    listen: listenSchema(DEFAULT_MDB_PORT),
    database: databaseSchema('/var/lib/lanctl/mdb/mdb.sqlite'),
    auth: z
      .object({
        /** Ed25519 public key (PEM) that verifies every bearer token. */
        public_key_file: z.string().min(1).default('/etc/lanctl/token-signing.pub'),
        /** Let anyone read machines, switches, rooms, pools and settings without a token. */
        public_read: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    sadm: z
      .object({
        /** SADM's `/call/query`, `switches` and `ansible` answer without a token (as in SADM). */
        public_read: z.boolean().default(true),
        /** SADM's mdbsync `sub_secret` (`/poll`), in a file of its own; unset: /poll refuses all. */
        sub_secret_file: z.string().min(1).nullable().default(null),
        /** SADM's mdbsync `pub_secret` (`/update`); unset: /update refuses all. */
        pub_secret_file: z.string().min(1).nullable().default(null),
      })
      .strict()
      .prefault({}),
    sync: z
      .object({
        /** The streams are also served on the API port; this one is for consumers and relays. */
        port: z.number().int().min(0).max(65535).default(DEFAULT_MDB_SYNC_PORT),
        /** Re-read the change log at least this often (other processes on SQLite, lost NOTIFYs). */
        poll_ms: z.number().int().min(50).max(60_000).default(1000),
        /** Change-log entries kept; a consumer further behind resumes with a full snapshot. */
        keep_revisions: z.number().int().min(1000).default(1_000_000),
        /** Bytes a stream subscriber may have queued before it is cut off (it then resumes). */
        max_buffer_bytes: z
          .number()
          .int()
          .min(64 * 1024)
          .max(1024 * 1024 * 1024)
          .default(8 * 1024 * 1024),
      })
      .strict()
      .prefault({}),
    body_limit_bytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024),
  })
  .strict();

export type MdbConfig = z.output<typeof mdbConfigSchema>;
