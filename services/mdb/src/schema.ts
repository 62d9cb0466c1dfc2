import type { AppMigration, Engine, Kysely } from '@lanctl/db';
import { type ChangeLogTables, changeLogMigration } from '@lanctl/sync';
import { netbootMigration } from './migrations/0003-netboot.ts';
import { seedDefaults } from './store/seed.ts';

interface Timestamps {
  created_at: string;
  updated_at: string;
}

export interface RoomRow extends Timestamps {
  id: string;
  name: string;
  description: string;
  hostname_pattern: string | null;
  seats_per_row: number | null;
}

export interface PoolRow extends Timestamps {
  id: string;
  name: string;
  network: string;
  network_int: number;
  broadcast_int: number;
  /** JSON array of reserved addresses and ranges. */
  reserved: string;
  /** Allocation hint: every host address below it is in use or excluded. */
  scan_from: number;
}

export interface MachineTypeRow extends Timestamps {
  id: string;
  name: string;
  description: string;
  pool: string | null;
}

export interface MachineRow extends Timestamps {
  id: string;
  hostname: string;
  /** JSON array; uniqueness across hostnames and aliases lives in `host_names`. */
  aliases: string;
  ip: string;
  ip_int: number;
  mac: string;
  uuid: string | null;
  rfs: number;
  hfs: number;
  mtype: string;
  room: string;
  is_faulty: number;
  is_faulty_details: string;
  /** A boot profile's name (checked by the store, not a foreign key), or null: by type and room. */
  boot_profile: string | null;
}

/** Every hostname and alias, one row each: the database enforces that a name is used once. */
export interface HostNameRow {
  name: string;
  machine_id: string;
}

export interface SwitchRow extends Timestamps {
  id: string;
  name: string;
  chassis: string;
  room: string;
  rfs: number;
  hfs: number;
}

export interface SettingRow {
  key: string;
  value: string;
  updated_at: string;
}

export interface BootProfileRow extends Timestamps {
  id: string;
  name: string;
  description: string;
  kind: string;
  kernel: string;
  /** JSON arrays. */
  initrds: string;
  cmdline: string;
  mtypes: string;
  rooms: string;
}

/** A room's "expect" list: hostnames still to register there, consumed as machines appear. */
export interface ExpectedHostRow {
  hostname: string;
  room: string;
  position: number;
}

export interface MdbTables extends ChangeLogTables {
  rooms: RoomRow;
  pools: PoolRow;
  machine_types: MachineTypeRow;
  machines: MachineRow;
  host_names: HostNameRow;
  switches: SwitchRow;
  settings: SettingRow;
  boot_profiles: BootProfileRow;
  expected_hosts: ExpectedHostRow;
}

const bigint = (engine: Engine) => (engine === 'postgres' ? 'bigint' : 'integer');

const tables: AppMigration = {
  async up(db: Kysely<any>, engine) {
    await db.schema
      .createTable('rooms')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('pools')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('network', 'text', (c) => c.notNull().unique())
      .addColumn('network_int', bigint(engine), (c) => c.notNull())
      .addColumn('broadcast_int', bigint(engine), (c) => c.notNull())
      .addColumn('reserved', 'text', (c) => c.notNull())
      .addColumn('scan_from', bigint(engine), (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('machine_types')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('pool', 'text', (c) => c.references('pools.name'))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('machines')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('hostname', 'text', (c) => c.notNull().unique())
      .addColumn('aliases', 'text', (c) => c.notNull())
      .addColumn('ip', 'text', (c) => c.notNull().unique())
      .addColumn('ip_int', bigint(engine), (c) => c.notNull().unique())
      .addColumn('mac', 'text', (c) => c.notNull().unique())
      .addColumn('uuid', 'text')
      .addColumn('rfs', 'integer', (c) => c.notNull())
      .addColumn('hfs', 'integer', (c) => c.notNull())
      .addColumn('mtype', 'text', (c) => c.notNull().references('machine_types.name'))
      .addColumn('room', 'text', (c) => c.notNull().references('rooms.name'))
      .addColumn('is_faulty', 'integer', (c) => c.notNull())
      .addColumn('is_faulty_details', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('machines_mtype').on('machines').column('mtype').execute();
    await db.schema.createIndex('machines_room').on('machines').column('room').execute();
    await db.schema.createIndex('machines_uuid').on('machines').column('uuid').execute();
    await db.schema
      .createTable('host_names')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('machine_id', 'text', (c) =>
        c.notNull().references('machines.id').onDelete('cascade'),
      )
      .execute();
    await db.schema
      .createIndex('host_names_machine')
      .on('host_names')
      .column('machine_id')
      .execute();
    await db.schema
      .createTable('switches')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('chassis', 'text', (c) => c.notNull().unique())
      .addColumn('room', 'text', (c) => c.notNull().references('rooms.name'))
      .addColumn('rfs', 'integer', (c) => c.notNull())
      .addColumn('hfs', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
  },
};

/** Applied in name order; never edit a released migration, add a new one. */
export const MDB_MIGRATIONS: Record<string, AppMigration> = {
  '0000_change_log': changeLogMigration,
  '0001_tables': tables,
  '0002_seed_defaults': { up: (db) => seedDefaults(db) },
  '0003_netboot': netbootMigration,
};

/** Tables covered by the consistency digest (tests: a refused request changes nothing). */
export const MDB_DIGEST_TABLES = [
  { name: 'rooms', orderBy: 'id' },
  { name: 'pools', orderBy: 'id' },
  { name: 'machine_types', orderBy: 'id' },
  { name: 'machines', orderBy: 'id' },
  { name: 'host_names', orderBy: 'name' },
  { name: 'switches', orderBy: 'id' },
  { name: 'settings', orderBy: 'key' },
  { name: 'boot_profiles', orderBy: 'id' },
  { name: 'expected_hosts', orderBy: 'hostname' },
  { name: 'change_log', orderBy: 'revision' },
];
