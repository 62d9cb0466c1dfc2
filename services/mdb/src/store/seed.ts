import { randomUUID } from 'node:crypto';
import type { Kysely, WriteTx } from '@lanctl/db';
import { DEFAULT_MACHINE_TYPES, DEFAULT_POOLS, DEFAULT_ROOMS } from '@lanctl/model';
import { appendChange } from '@lanctl/sync';
import type { MdbTables } from '../schema.ts';
import { poolColumns } from './catalog.ts';
import { toMachineType, toPool } from './records.ts';

/**
 * SADM's rooms, pools and machine types, written once by a migration (which runs in its own
 * transaction under the migrator's lock) and change-logged like any other write.
 */
export async function seedDefaults(db: Kysely<any>): Promise<void> {
  const tx = db as WriteTx<MdbTables>;
  const stamp = new Date().toISOString();
  const base = () => ({ id: randomUUID(), created_at: stamp, updated_at: stamp });
  for (const room of DEFAULT_ROOMS) {
    const row = { ...base(), ...room };
    await tx.insertInto('rooms').values(row).execute();
    await appendChange(tx, {
      table: 'rooms',
      entity_id: row.id,
      op: 'create',
      // The record as migration 0002 always wrote it (rooms had no pattern columns yet).
      record: { name: row.name, description: row.description },
    });
  }
  for (const pool of DEFAULT_POOLS) {
    const row = { ...base(), name: pool.name, ...poolColumns(pool.network, pool.reserved) };
    await tx.insertInto('pools').values(row).execute();
    const mtypes = DEFAULT_MACHINE_TYPES.filter((t) => t.pool === pool.name).map((t) => t.name);
    const size = 2 ** (32 - Number(pool.network.split('/')[1])) - 2;
    await appendChange(tx, {
      table: 'pools',
      entity_id: row.id,
      op: 'create',
      record: toPool(row, { mtypes, used: 0, size }),
    });
  }
  for (const type of DEFAULT_MACHINE_TYPES) {
    const row = { ...base(), ...type };
    await tx.insertInto('machine_types').values(row).execute();
    await appendChange(tx, {
      table: 'machine_types',
      entity_id: row.id,
      op: 'create',
      record: toMachineType(row),
    });
  }
}
