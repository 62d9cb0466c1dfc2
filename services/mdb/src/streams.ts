import type { Kysely } from '@lanctl/db';
import { STREAM_ACCESS, type StreamAccess, type StreamTable } from '@lanctl/sync';
import type { MdbTables } from './schema.ts';
import { toMachine, toSwitch } from './store/records.ts';

/** The tables mdb streams, read whole as the records its change log holds (access: STREAM_ACCESS). */
export function streamTables(): (StreamTable & StreamAccess)[] {
  return [
    {
      name: 'machines',
      ...STREAM_ACCESS.machines,
      load: async (db: Kysely<any>) => {
        const rows = await (db as Kysely<MdbTables>).selectFrom('machines').selectAll().execute();
        return rows.map((r) => ({ id: r.id, record: toMachine(r) }));
      },
    },
    {
      name: 'switches',
      ...STREAM_ACCESS.switches,
      load: async (db: Kysely<any>) => {
        const rows = await (db as Kysely<MdbTables>).selectFrom('switches').selectAll().execute();
        return rows.map((r) => ({ id: r.id, record: toSwitch(r) }));
      },
    },
  ];
}
