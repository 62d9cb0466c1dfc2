import type { Kysely } from '@lanctl/db';
import { SETTING_KEYS, type SettingKey } from '@lanctl/model';
import { STREAM_ACCESS, type StreamAccess, type StreamTable } from '@lanctl/sync';
import type { MdbTables } from './schema.ts';
import { poolRecord } from './store/catalog.ts';
import { toBootProfile, toMachine, toMachineType, toRoom, toSwitch } from './store/records.ts';
import { settingRecord } from './store/settings.ts';

type Db = Kysely<MdbTables>;
type Table = StreamTable & StreamAccess;

/** A stream whose snapshot is the table read whole, as the records its change log holds. */
function stream<
  N extends 'machines' | 'switches' | 'pools' | 'rooms' | 'machine_types' | 'boot_profiles',
>(name: N, toRecord: (db: Db, row: any) => unknown): Table {
  return {
    name,
    ...STREAM_ACCESS[name],
    load: async (db: Kysely<any>) => {
      const rows = (await (db as Kysely<any>).selectFrom(name).selectAll().execute()) as {
        id: string;
      }[];
      return Promise.all(
        rows.map(async (r) => ({ id: r.id, record: await toRecord(db as Db, r) })),
      );
    },
  };
}

/** Settings are keyed by name (no id column); the record is the stored value with its key. */
const settingsStream: Table = {
  name: 'settings',
  ...STREAM_ACCESS.settings,
  load: async (db: Kysely<any>) => {
    const rows = await (db as Db).selectFrom('settings').select(['key', 'value']).execute();
    return rows
      .filter((r) => (SETTING_KEYS as readonly string[]).includes(r.key))
      .map((r) => ({ id: r.key, record: settingRecord(r.key as SettingKey, r.value) }));
  },
};

/**
 * The tables mdb streams (access: STREAM_ACCESS). Consumers: DHCP and DNS follow machines and
 * pools (reverse zones), netboot follows machines, switches, rooms and boot profiles, the firewall
 * follows machines and settings (`contest_mode`). A pool's `used`/`size` are as of its last
 * write: the stream carries what the change log recorded.
 */
export function streamTables(): Table[] {
  return [
    stream('machines', (_db, r) => toMachine(r)),
    stream('switches', (_db, r) => toSwitch(r)),
    stream('pools', poolRecord),
    stream('rooms', (_db, r) => toRoom(r)),
    stream('machine_types', (_db, r) => toMachineType(r)),
    stream('boot_profiles', (_db, r) => toBootProfile(r)),
    settingsStream,
  ];
}
