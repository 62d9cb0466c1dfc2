import { databaseSchema, listenSchema } from '@lanctl/core';
import { z } from 'zod';

export const DEFAULT_UDB_PORT = 20080;
/** SADM's udbsync port: the users stream (native SSE and SADM's /poll). */
export const DEFAULT_UDB_SYNC_PORT = 20090;

/** A half-open uid range [start, end). */
const uidRange = z
  .tuple([z.number().int().min(1000), z.number().int().max(60000)])
  .refine(([start, end]) => start < end, 'expected [start, end) with start < end');

const window = z
  .object({ max: z.number().int().min(1), window_seconds: z.number().int().min(1) })
  .strict();

/** /etc/lanctl/udb.yml */
export const udbConfigSchema = z
  .object({
    listen: listenSchema(DEFAULT_UDB_PORT),
    database: databaseSchema('/var/lib/lanctl/udb/udb.sqlite'),
    auth: z
      .object({
        public_key_file: z.string().min(1).default('/etc/lanctl/token-signing.pub'),
        /** udb signs people's session tokens on login. */
        private_key_file: z.string().min(1).default('/etc/lanctl/token-signing.key'),
        session_ttl_seconds: z
          .number()
          .int()
          .min(60)
          .max(30 * 24 * 3600)
          .default(12 * 3600),
        /** Set the session cookie's Secure flag (when the UI is served over HTTPS). */
        cookie_secure: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    passwords: z
      .object({
        /** sha512-crypt rounds; glibc's default is 5000. */
        rounds: z.number().int().min(1000).max(999_999_999).default(5000),
        /** Length of generated passwords. */
        length: z.number().int().min(6).max(64).default(8),
      })
      .strict()
      .prefault({}),
    uid_pools: z
      .object({
        user: uidRange.default([10000, 11000]),
        orga: uidRange.default([11000, 12000]),
        root: uidRange.default([12000, 13000]),
      })
      .strict()
      .prefault({}),
    /** Logins of this file's system accounts (uid < 1000 or >= 60000) are refused. */
    system_passwd_file: z.string().min(1).default('/etc/passwd'),
    /** Where the first start writes the password of the root account `admin` (mode 0600). */
    initial_admin_password_file: z
      .string()
      .min(1)
      .default('/var/lib/lanctl/udb/initial-admin-password'),
    login_rate_limit: z
      .object({
        per_address: window.default({ max: 20, window_seconds: 60 }),
        per_login: window.default({ max: 5, window_seconds: 300 }),
      })
      .strict()
      .prefault({}),
    sync: z
      .object({
        port: z.number().int().min(0).max(65535).default(DEFAULT_UDB_SYNC_PORT),
        poll_ms: z.number().int().min(50).max(60_000).default(1000),
        /** Change-log entries kept; a consumer further behind resumes with a full snapshot. */
        keep_revisions: z.number().int().min(1000).default(1_000_000),
      })
      .strict()
      .prefault({}),
    sadm: z
      .object({
        /** SADM's `udb-client-auth.yml` shared secret, in a file of its own; unset: no query_private. */
        shared_secret_file: z.string().min(1).nullable().default(null),
        /** SADM's udbsync `sub_secret` (`/poll`), in a file of its own; unset: /poll refuses all. */
        sub_secret_file: z.string().min(1).nullable().default(null),
        /** SADM's udbsync `pub_secret` (`/update`); unset: /update refuses all. */
        pub_secret_file: z.string().min(1).nullable().default(null),
      })
      .strict()
      .prefault({}),
    body_limit_bytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(16 * 1024 * 1024),
  })
  .strict();

export type UdbConfig = z.output<typeof udbConfigSchema>;
