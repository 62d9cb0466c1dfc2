import { unprocessable } from '@lanctl/core';
import type { Kysely, WriteTx } from '@lanctl/db';
import {
  type BootProfile,
  type BootProfileCreate,
  type BootProfileKind,
  type BootProfileUpdate,
  bootProfileProblem,
} from '@lanctl/model';
import type { BootProfileRow, MdbTables } from '../schema.ts';
import type { NamedTableSpec } from './named-store.ts';
import { toBootProfile } from './records.ts';

type Tx = WriteTx<MdbTables>;
type Fields = Omit<BootProfileRow, 'id' | 'created_at' | 'updated_at'>;

/** Validated create input → row fields (lists as JSON). */
export function bootProfileColumns(input: BootProfileCreate): Fields {
  return {
    name: input.name,
    description: input.description,
    kind: input.kind,
    kernel: input.kernel,
    initrds: JSON.stringify(input.initrds),
    cmdline: input.cmdline,
    mtypes: JSON.stringify(input.mtypes),
    rooms: JSON.stringify(input.rooms),
  };
}

const LISTS = ['initrds', 'mtypes', 'rooms'] as const;

/** The rows' names that do not exist in `table`, as a 422 naming `field[i]`. */
async function requireNames(
  tx: Tx,
  table: 'rooms' | 'machine_types',
  field: string,
  names: string[],
) {
  if (names.length === 0) return;
  const found = await (tx as Kysely<MdbTables>)
    .selectFrom(table)
    .select('name')
    .where('name', 'in', names)
    .execute();
  const known = new Set(found.map((r) => r.name));
  const i = names.findIndex((n) => !known.has(n));
  if (i >= 0) {
    const noun = table === 'rooms' ? 'room' : 'machine type';
    throw unprocessable(`${field}[${i}]`, `unknown ${noun} "${names[i]}"`);
  }
}

/**
 * Boot profiles: the kind-dependent rules are checked on the merged row (so a PATCH of `kind`
 * alone that leaves a bad kernel is a 422 naming `kernel`); the types and rooms they name must
 * exist; a profile a machine still names cannot be deleted.
 */
export const bootProfileSpec: NamedTableSpec<'boot_profiles', BootProfile> = {
  table: 'boot_profiles',
  noun: 'boot profile',
  toRecord: (_tx, row) => toBootProfile(row),
  fromPatch: (_current, patch: BootProfileUpdate) => {
    const out: Partial<Fields> = {};
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined) continue;
      (out as Record<string, unknown>)[key] = (LISTS as readonly string[]).includes(key)
        ? JSON.stringify(value)
        : value;
    }
    return out;
  },
  check: async (tx, next) => {
    const problem = bootProfileProblem({
      kind: next.kind as BootProfileKind,
      kernel: next.kernel,
      initrds: JSON.parse(next.initrds),
    });
    if (problem) throw unprocessable(problem.field, problem.message);
    await requireNames(tx, 'machine_types', 'mtypes', JSON.parse(next.mtypes));
    await requireNames(tx, 'rooms', 'rooms', JSON.parse(next.rooms));
  },
  usedBy: async (tx, row) => {
    const hit = await tx
      .selectFrom('machines')
      .select('hostname')
      .where('boot_profile', '=', row.name)
      .executeTakeFirst();
    return hit ? `machine "${hit.hostname}"` : null;
  },
};

/** The first boot profile naming `name` in its `column` list, as a usedBy answer. */
export async function profileNaming(
  tx: Tx,
  column: 'mtypes' | 'rooms',
  name: string,
): Promise<string | null> {
  const rows = await tx
    .selectFrom('boot_profiles')
    .select(['name', column])
    .orderBy('name')
    .execute();
  const hit = rows.find((r) => (JSON.parse(r[column as 'rooms']) as string[]).includes(name));
  return hit ? `boot profile "${hit.name}"` : null;
}
