import type { Database } from '@lanctl/db';
import type { MachineType, Pool, Room, Switch } from '@lanctl/model';
import type { MdbTables } from '../schema.ts';
import { machineTypeSpec, poolSpec, roomSpec, switchSpec } from './catalog.ts';
import { MachineStore } from './machines.ts';
import { NamedStore } from './named-store.ts';
import { SettingsStore } from './settings.ts';

/** Everything mdb owns, one store per table, all writing to the same change log. */
export interface MdbStore {
  machines: MachineStore;
  switches: NamedStore<'switches', Switch>;
  rooms: NamedStore<'rooms', Room>;
  machineTypes: NamedStore<'machine_types', MachineType>;
  pools: NamedStore<'pools', Pool>;
  settings: SettingsStore;
}

export function createStore(database: Database<MdbTables>, now: () => Date): MdbStore {
  return {
    machines: new MachineStore(database, now),
    switches: new NamedStore(database, switchSpec, now),
    rooms: new NamedStore(database, roomSpec, now),
    machineTypes: new NamedStore(database, machineTypeSpec, now),
    pools: new NamedStore(database, poolSpec, now),
    settings: new SettingsStore(database, now),
  };
}

export { poolColumns } from './catalog.ts';
