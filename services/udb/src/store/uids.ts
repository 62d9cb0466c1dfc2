import { AppError } from '@lanctl/core';
import type { WriteTx } from '@lanctl/db';
import type { Group } from '@lanctl/model';
import type { UdbTables } from '../schema.ts';

export type UidPools = Record<Group, readonly [number, number]>;

/** Lowest uid of the group's pool [start, end) that no user holds; a full pool is a 409. */
export async function allocateUid(
  tx: WriteTx<UdbTables>,
  pools: UidPools,
  group: Group,
): Promise<number> {
  const [start, end] = pools[group];
  const used = await tx
    .selectFrom('users')
    .select('uid')
    .where('uid', '>=', start)
    .where('uid', '<', end)
    .orderBy('uid')
    .execute();
  let candidate = start;
  for (const { uid } of used) {
    if (Number(uid) !== candidate) break;
    candidate++;
  }
  if (candidate >= end) {
    throw new AppError(
      409,
      'uid_pool_exhausted',
      `the uid pool of group "${group}" [${start}, ${end}) is full`,
      {
        details: [{ field: 'uid', message: `no free uid in [${start}, ${end})` }],
      },
    );
  }
  return candidate;
}

export function uidInPool(pools: UidPools, group: Group, uid: number): boolean {
  const [start, end] = pools[group];
  return uid >= start && uid < end;
}
