import type { Principal } from '@lanctl/auth';
import type { StreamAccess } from './server.ts';

/** The scope that lets a subscriber (the passwd writer) see password hashes. */
export const HASHES_SCOPE = 'users:hashes';

/**
 * Who may read each stream and what of it they see: one table for the owners (mdb, udb) and the
 * relay, so a relay applies exactly the owner's rules to its own subscribers.
 */
export const STREAM_ACCESS = {
  machines: { scope: 'read' },
  switches: { scope: 'read' },
  pools: { scope: 'read' },
  rooms: { scope: 'read' },
  machine_types: { scope: 'read' },
  boot_profiles: { scope: 'read' },
  /** mdb's settings (`contest_mode`, `allow_self_registration`) by key. */
  settings: { scope: 'read' },
  /** presence's sessions: `{login, hostname}` by login. */
  presence: { scope: 'read' },
  /** Every user to `users:read`; the sha512-crypt hash only with `users:hashes`. */
  users: {
    scope: 'users:read',
    redact: (record: unknown, principal: Principal) => {
      if (principal.scopes.includes(HASHES_SCOPE)) return record;
      const { password_hash: _hidden, ...rest } = record as { password_hash?: string };
      return rest;
    },
  },
} as const satisfies Record<string, StreamAccess>;

export type StreamName = keyof typeof STREAM_ACCESS;

/** The access rule of a stream, or undefined for a name no owner streams. */
export const streamAccess = (table: string): StreamAccess | undefined =>
  Object.hasOwn(STREAM_ACCESS, table) ? STREAM_ACCESS[table as StreamName] : undefined;
