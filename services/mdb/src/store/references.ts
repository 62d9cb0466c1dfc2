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

/** A reference to a row of a name-keyed table: a 422 naming `field` and listing the known names. */
async function requireNamed(
  tx: Tx,
  table: 'rooms' | 'boot_profiles',
  field: string,
  noun: string,
  name: string,
): Promise<void> {
  const row = await tx.selectFrom(table).select('name').where('name', '=', name).executeTakeFirst();
  if (row) return;
  const known = await tx.selectFrom(table).select('name').orderBy('name').execute();
  throw unprocessable(
    field,
    `unknown ${noun} "${name}" (known: ${known.map((r) => r.name).join(', ')})`,
  );
}

export const requireRoom = (tx: Tx, name: string) =>
  requireNamed(tx, 'rooms', 'room', 'room', name);

export const requireBootProfile = (tx: Tx, name: string) =>
  requireNamed(tx, 'boot_profiles', 'boot_profile', 'boot profile', name);

export async function requirePool(tx: Tx, name: string): Promise<void> {
  const row = await tx
    .selectFrom('pools')
    .select('name')
    .where('name', '=', name)
    .executeTakeFirst();
  if (!row) throw unprocessable('pool', `unknown pool "${name}"`);
}
