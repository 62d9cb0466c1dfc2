import type { Database } from '@lanctl/db';
import type {
  BootProfile,
  MachineImportResult,
  MachineType,
  Pool,
  Room,
  Switch,
} from '@lanctl/model';
import type { MdbTables } from '../schema.ts';
import { bootProfileSpec } from './boot-profiles.ts';
import { machineTypeSpec, poolSpec, roomSpec, switchSpec } from './catalog.ts';
import { importMachines } from './import.ts';
import { MachineStore } from './machines.ts';
import { NamedStore } from './named-store.ts';
import {
  type RegistrationOutcome,
  RegistrationStore,
  type RegistrationVia,
} from './registrations.ts';
import { SettingsStore } from './settings.ts';

/** Everything mdb owns, one store per table, all writing to the same change log. */
export interface MdbStore {
  machines: MachineStore;
  switches: NamedStore<'switches', Switch>;
  rooms: NamedStore<'rooms', Room>;
  machineTypes: NamedStore<'machine_types', MachineType>;
  pools: NamedStore<'pools', Pool>;
  bootProfiles: NamedStore<'boot_profiles', BootProfile>;
  settings: SettingsStore;
  /** Self-registration and rooms' expect lists. */
  registrations: RegistrationStore;
  /** Bulk creation, all or nothing (see import.ts). */
  importMachines(rows: unknown[], dryRun: boolean): Promise<MachineImportResult>;
}

export interface StoreHooks {
  /** Every registration's outcome (mdb counts them in `lanctl_mdb_registrations_total`). */
  onRegistration?(via: RegistrationVia, outcome: RegistrationOutcome): void;
}

export function createStore(
  database: Database<MdbTables>,
  now: () => Date,
  hooks: StoreHooks = {},
): MdbStore {
  const settings = new SettingsStore(database, now);
  return {
    machines: new MachineStore(database, now),
    switches: new NamedStore(database, switchSpec, now),
    rooms: new NamedStore(database, roomSpec, now),
    machineTypes: new NamedStore(database, machineTypeSpec, now),
    pools: new NamedStore(database, poolSpec, now),
    bootProfiles: new NamedStore(database, bootProfileSpec, now),
    settings,
    registrations: new RegistrationStore(
      database,
      now,
      settings,
      hooks.onRegistration ?? (() => undefined),
    ),
    importMachines: (rows, dryRun) => importMachines(database, now, rows, dryRun),
  };
}

export { bootProfileColumns } from './boot-profiles.ts';
export { poolColumns } from './catalog.ts';
export type { RegistrationOutcome, RegistrationVia } from './registrations.ts';
