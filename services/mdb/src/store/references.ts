import { unprocessable } from '@lanctl/core';
import type { WriteTx } from '@lanctl/db';
import type { MachineTypeRow, MdbTables } from '../schema.ts';

type Tx = WriteTx<MdbTables>;

/** Rooms and machine types are data: a reference to one that does not exist is a 422. */
export async function requireType(tx: Tx, name: string): Promise<MachineTypeRow> {
  const row = await tx
    .selectFrom('machine_types')
    .selectAll()
    .where('name', '=', name)
    .executeTakeFirst();
  if (row) return row;
  const known = await tx.selectFrom('machine_types').select('name').orderBy('name').execute();
  throw unprocessable(
    'mtype',
    `unknown machine type "${name}" (known: ${known.map((r) => r.name).join(', ')})`,
  );
}

export async function requireRoom(tx: Tx, name: string): Promise<void> {
  const row = await tx
    .selectFrom('rooms')
    .select('name')
    .where('name', '=', name)
    .executeTakeFirst();
  if (row) return;
  const known = await tx.selectFrom('rooms').select('name').orderBy('name').execute();
  throw unprocessable(
    'room',
    `unknown room "${name}" (known: ${known.map((r) => r.name).join(', ')})`,
  );
}

export async function requirePool(tx: Tx, name: string): Promise<void> {
  const row = await tx
    .selectFrom('pools')
    .select('name')
    .where('name', '=', name)
    .executeTakeFirst();
  if (!row) throw unprocessable('pool', `unknown pool "${name}"`);
}
