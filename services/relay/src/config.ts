import { STREAM_ACCESS } from '@lanctl/sync';
import { z } from 'zod';

/** mdb's sync port + 1 (SADM had no relay). A relay of udb's `users` needs another port. */
export const DEFAULT_RELAY_PORT = 20011;

/** Streams a relay can serve: those with an access rule shared with their owner. */
export const RELAYABLE_TABLES = Object.keys(STREAM_ACCESS);

/** /etc/lanctl/relay.yml (`lanctl serve relay`, alias `lanctl serve sync`). */
export const relayConfigSchema = z
  .object({
    listen: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(DEFAULT_RELAY_PORT),
      })
      .strict()
      .prefault({}),
    /** Origin of the owner's sync port (or of another relay): streams are under /api/v1/sync/. */
    upstream: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:20010'),
    /**
     * A service token for the upstream, with the `read` scope (machines, switches) or
     * `users:read` (users), plus `users:hashes` if any subscriber of the relay needs hashes.
     * Read at every connection (a rotated token is picked up).
     */
    token_file: z.string().min(1).default('/etc/lanctl/relay.token'),
    /** One upstream subscription, hub and state file per table, all from the same upstream. */
    tables: z
      .array(z.enum(RELAYABLE_TABLES as [string, ...string[]]))
      .min(1)
      .refine((t) => new Set(t).size === t.length, 'a table is listed twice')
      .default(['machines', 'switches']),
    auth: z
      .object({
        /** Ed25519 public key (PEM) that verifies subscribers' bearer tokens (udb's key). */
        public_key_file: z.string().min(1).default('/etc/lanctl/token-signing.pub'),
      })
      .strict()
      .prefault({}),
    /** `<table>.json` here: the last good state, served at once after a restart. */
    state_dir: z
      .string()
      .regex(/^\//, 'expected an absolute path')
      .default('/var/lib/lanctl/relay'),
    /** Changes kept in memory per table: subscribers further behind resume with a snapshot. */
    ring_size: z.number().int().min(100).max(10_000_000).default(20_000),
  })
  .strict();

export type RelayConfig = z.output<typeof relayConfigSchema>;
