import type { Principal } from '@lanctl/auth';
import type { Kysely } from '@lanctl/db';
import type { StreamAccess, StreamTable } from '@lanctl/sync';
import type { UdbTables } from './schema.ts';
import { toLoggedUser } from './store/records.ts';

/** The scope that lets a subscriber (the passwd writer) see password hashes. */
export const HASHES_SCOPE = 'users:hashes';

/**
 * The `users` stream: readers with `users:read` get every user; the sha512-crypt hash only goes
 * to subscribers granted `users:hashes`. A clear password never exists to be streamed.
 */
export function streamTables(): (StreamTable & StreamAccess)[] {
  return [
    {
      name: 'users',
      scope: 'users:read',
      load: async (db: Kysely<any>) => {
        const rows = await (db as Kysely<UdbTables>).selectFrom('users').selectAll().execute();
        return rows.map((r) => ({ id: r.id, record: toLoggedUser(r) }));
      },
      redact: (record: unknown, principal: Principal) => {
        if (principal.scopes.includes(HASHES_SCOPE)) return record;
        const { password_hash: _hidden, ...rest } = record as { password_hash?: string };
        return rest;
      },
    },
  ];
}
