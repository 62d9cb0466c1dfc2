import { conflict, unprocessable } from '@lanctl/core';
import type { Kysely, WriteTx } from '@lanctl/db';
import {
  formatIpv4,
  hostnamePatternProblem,
  hostRange,
  type MachineType,
  type Pool,
  type PoolUpdate,
  parseCidr,
  type Room,
  type Switch,
} from '@lanctl/model';
import type { MdbTables, PoolRow } from '../schema.ts';
import { parseReserved, poolCidr } from './allocate.ts';
import { profileNaming } from './boot-profiles.ts';
import type { NamedTableSpec } from './named-store.ts';
import { toMachineType, toPool, toRoom, toSwitch } from './records.ts';
import { requirePool, requireRoom } from './references.ts';

type Tx = WriteTx<MdbTables>;
type Db = Kysely<MdbTables>;

async function firstUser(tx: Tx, table: 'machines' | 'switches', column: string, value: string) {
  const hit = await (tx as Db)
    .selectFrom(table)
    .select(table === 'machines' ? 'hostname as name' : 'name')
    .where(column as 'room', '=', value)
    .executeTakeFirst();
  return hit ? `${table === 'machines' ? 'machine' : 'switch'} "${hit.name}"` : null;
}

export const roomSpec: NamedTableSpec<'rooms', Room> = {
  table: 'rooms',
  noun: 'room',
  toRecord: (_tx, row) => toRoom(row),
  // The pattern's rules on the merged room: a PATCH of one of the two fields is checked too.
  check: async (_tx, next) => {
    const problem = hostnamePatternProblem(next.hostname_pattern, next.seats_per_row);
    if (problem) throw unprocessable(problem.field, problem.message);
  },
  usedBy: async (tx, row) =>
    (await firstUser(tx, 'machines', 'room', row.name)) ??
    (await firstUser(tx, 'switches', 'room', row.name)) ??
    (await profileNaming(tx, 'rooms', row.name)),
};

export const machineTypeSpec: NamedTableSpec<'machine_types', MachineType> = {
  table: 'machine_types',
  noun: 'machine type',
  toRecord: (_tx, row) => toMachineType(row),
  check: async (tx, next) => {
    if (next.pool !== null) await requirePool(tx, next.pool);
  },
  usedBy: async (tx, row) =>
    (await firstUser(tx, 'machines', 'mtype', row.name)) ??
    (await profileNaming(tx, 'mtypes', row.name)),
};

export const switchSpec: NamedTableSpec<'switches', Switch> = {
  table: 'switches',
  noun: 'switch',
  order: 'name',
  toRecord: (_tx, row) => toSwitch(row),
  check: async (tx, next, current) => {
    if (next.room !== current?.room) await requireRoom(tx, next.room);
    const hit = await tx
      .selectFrom('switches')
      .select('name')
      .where('chassis', '=', next.chassis)
      .where('name', '!=', current?.name ?? next.name)
      .executeTakeFirst();
    if (hit)
      throw conflict(
        'chassis',
        `${next.chassis} is already the chassis id of switch "${hit.name}"`,
        hit,
      );
  },
};

/** Derived columns of a pool row from its network and reserved list. */
export function poolColumns(network: string, reserved: string[]) {
  const cidr = parseCidr(network)!;
  return {
    network,
    network_int: cidr.network,
    broadcast_int: cidr.broadcast,
    reserved: JSON.stringify(reserved),
    scan_from: hostRange(cidr).first,
  };
}

export const poolSpec: NamedTableSpec<'pools', Pool> = {
  table: 'pools',
  noun: 'pool',
  toRecord: poolRecord,
  check: checkPool,
  fromPatch: (current, patch: PoolUpdate) => {
    const network = patch.network ?? current.network;
    const reserved = patch.reserved ?? (JSON.parse(current.reserved) as string[]);
    const unchanged = network === current.network && JSON.stringify(reserved) === current.reserved;
    // Unchanged: no write at all; changed: the allocation hint restarts from the first host.
    return unchanged ? {} : poolColumns(network, reserved);
  },
  usedBy: async (tx, row) => {
    const type = await tx
      .selectFrom('machine_types')
      .select('name')
      .where('pool', '=', row.name)
      .executeTakeFirst();
    if (type) return `machine type "${type.name}"`;
    const machine = await tx
      .selectFrom('machines')
      .select('hostname')
      .where('ip_int', '>=', Number(row.network_int))
      .where('ip_int', '<=', Number(row.broadcast_int))
      .executeTakeFirst();
    return machine ? `machine "${machine.hostname}" (its address is in the pool)` : null;
  },
};

export async function poolRecord(db: Db | Tx, row: PoolRow): Promise<Pool> {
  const types = await db
    .selectFrom('machine_types')
    .select('name')
    .where('pool', '=', row.name)
    .orderBy('name')
    .execute();
  const counted = await db
    .selectFrom('machines')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('ip_int', '>=', Number(row.network_int))
    .where('ip_int', '<=', Number(row.broadcast_int))
    .executeTakeFirst();
  const { first, last } = hostRange(poolCidr(row));
  const reserved = parseReserved(JSON.parse(row.reserved)).reduce(
    (n, r) => n + Math.max(0, Math.min(r.to, last) - Math.max(r.from, first) + 1),
    0,
  );
  return toPool(row, {
    mtypes: types.map((t) => t.name),
    used: Number(counted?.n ?? 0),
    size: last - first + 1 - reserved,
  });
}

/**
 * Pools must not overlap, reserved entries must lie inside the network, and shrinking or moving
 * a network may not strand a machine whose address was inside it.
 */
async function checkPool(
  tx: Tx,
  next: Omit<PoolRow, 'id' | 'created_at' | 'updated_at'>,
  current?: PoolRow,
) {
  const lo = Number(next.network_int);
  const hi = Number(next.broadcast_int);
  const overlap = await tx
    .selectFrom('pools')
    .select(['name', 'network'])
    .where('network_int', '<=', hi)
    .where('broadcast_int', '>=', lo)
    .where('name', '!=', next.name)
    .executeTakeFirst();
  if (overlap) {
    throw conflict(
      'network',
      `${next.network} overlaps pool "${overlap.name}" (${overlap.network})`,
      overlap,
    );
  }
  for (const r of parseReserved(JSON.parse(next.reserved))) {
    if (r.from < lo || r.to > hi) {
      throw unprocessable('reserved', `${formatIpv4(r.from)} is outside ${next.network}`);
    }
  }
  if (current && current.network !== next.network) {
    const stranded = await tx
      .selectFrom('machines')
      .select(['hostname', 'ip'])
      .where('ip_int', '>=', Number(current.network_int))
      .where('ip_int', '<=', Number(current.broadcast_int))
      .where((eb) => eb.or([eb('ip_int', '<', lo), eb('ip_int', '>', hi)]))
      .executeTakeFirst();
    if (stranded) {
      throw conflict(
        'network',
        `machine "${stranded.hostname}" (${stranded.ip}) would fall outside ${next.network}`,
        stranded,
      );
    }
  }
}
