import { randomUUID } from 'node:crypto';
import type { AppMigration, Kysely, WriteTx } from '@lanctl/db';
import { DEFAULT_BOOT_PROFILES } from '@lanctl/model';
import { appendChange } from '@lanctl/sync';
import type { BootProfileRow, MdbTables } from '../schema.ts';
import { toBootProfile } from '../store/records.ts';

/**
 * Netboot (issue 6): boot profiles (seeded with SADM's contestant image and servers on their
 * disk), a machine's boot-profile override, rooms' hostname patterns and "expect" lists.
 */
export const netbootMigration: AppMigration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('boot_profiles')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('kernel', 'text', (c) => c.notNull())
      .addColumn('initrds', 'text', (c) => c.notNull())
      .addColumn('cmdline', 'text', (c) => c.notNull())
      .addColumn('mtypes', 'text', (c) => c.notNull())
      .addColumn('rooms', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.alterTable('machines').addColumn('boot_profile', 'text').execute();
    await db.schema
      .createIndex('machines_boot_profile')
      .on('machines')
      .column('boot_profile')
      .execute();
    await db.schema.alterTable('rooms').addColumn('hostname_pattern', 'text').execute();
    await db.schema.alterTable('rooms').addColumn('seats_per_row', 'integer').execute();
    await db.schema
      .createTable('expected_hosts')
      .addColumn('hostname', 'text', (c) => c.primaryKey())
      .addColumn('room', 'text', (c) => c.notNull().references('rooms.name').onDelete('cascade'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('expected_hosts_room')
      .on('expected_hosts')
      .columns(['room', 'position'])
      .execute();
    await seedBootProfiles(db);
  },
};

async function seedBootProfiles(db: Kysely<any>): Promise<void> {
  const tx = db as WriteTx<MdbTables>;
  const stamp = new Date().toISOString();
  for (const profile of DEFAULT_BOOT_PROFILES) {
    const row: BootProfileRow = {
      id: randomUUID(),
      name: profile.name,
      description: profile.description,
      kind: profile.kind,
      kernel: profile.kernel,
      initrds: JSON.stringify(profile.initrds),
      cmdline: profile.cmdline,
      mtypes: JSON.stringify(profile.mtypes),
      rooms: JSON.stringify(profile.rooms),
      created_at: stamp,
      updated_at: stamp,
    };
    await tx.insertInto('boot_profiles').values(row).execute();
    await appendChange(tx, {
      table: 'boot_profiles',
      entity_id: row.id,
      op: 'create',
      record: toBootProfile(row),
    });
  }
}
