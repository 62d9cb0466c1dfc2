import type { Kysely } from '@lanctl/db';
import { STREAM_ACCESS, type StreamAccess, type StreamTable } from '@lanctl/sync';
import type { UdbTables } from './schema.ts';
import { toLoggedUser } from './store/records.ts';

/** The scope that lets a subscriber (the passwd writer) see password hashes. */
export { HASHES_SCOPE } from '@lanctl/sync';

/**
 * The `users` stream: readers with `users:read` get every user; the sha512-crypt hash only goes
 * to subscribers granted `users:hashes` (STREAM_ACCESS.users, shared with the relay). A clear
 * password never exists to be streamed.
 */
export function streamTables(): (StreamTable & StreamAccess)[] {
  return [
    {
      name: 'users',
      ...STREAM_ACCESS.users,
      load: async (db: Kysely<any>) => {
        const rows = await (db as Kysely<UdbTables>).selectFrom('users').selectAll().execute();
        return rows.map((r) => ({ id: r.id, record: toLoggedUser(r) }));
      },
    },
  ];
}
