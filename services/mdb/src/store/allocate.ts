import { AppError, unprocessable } from '@lanctl/core';
import type { WriteTx } from '@lanctl/db';
import { type Cidr, formatIpv4, hostRange, parseIpv4 } from '@lanctl/model';
import type { MdbTables, PoolRow } from '../schema.ts';

type Tx = WriteTx<MdbTables>;

/** An inclusive range of addresses a pool must not hand out. */
interface Excluded {
  from: number;
  to: number;
}

/** Reserved entries as sorted, merged ranges: overlapping or adjacent entries count once. */
export function parseReserved(entries: string[]): Excluded[] {
  const ranges = entries
    .map((entry) => {
      const [from, to] = entry.split('-') as [string, string | undefined];
      const a = parseIpv4(from)!;
      return { from: a, to: to === undefined ? a : parseIpv4(to)! };
    })
    .sort((x, y) => x.from - y.from);
  const merged: Excluded[] = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r.from <= last.to + 1) last.to = Math.max(last.to, r.to);
    else merged.push({ ...r });
  }
  return merged;
}

export const poolCidr = (pool: PoolRow): Cidr => ({
  network: Number(pool.network_int),
  broadcast: Number(pool.broadcast_int),
  prefix: Number(pool.network.split('/')[1]),
});

const BATCH = 1024;

/**
 * Hands out the lowest free host address of `poolName`: never the network or broadcast address,
 * never a reserved one, and freed addresses first. Runs inside the serialized write transaction,
 * so concurrent creations (several processes included) get distinct addresses, and a rollback
 * returns the hint to where it was: a failed create burns nothing.
 */
export async function allocateIp(tx: Tx, poolName: string): Promise<number> {
  const pool = await tx
    .selectFrom('pools')
    .selectAll()
    .where('name', '=', poolName)
    .executeTakeFirst();
  if (!pool) throw unprocessable('mtype', `its pool "${poolName}" does not exist`);
  const { first, last } = hostRange(poolCidr(pool));
  const excluded = parseReserved(JSON.parse(pool.reserved));
  let candidate = Math.max(first, Number(pool.scan_from));
  while (candidate <= last) {
    const used = await tx
      .selectFrom('machines')
      .select('ip_int')
      .where('ip_int', '>=', candidate)
      .where('ip_int', '<=', last)
      .orderBy('ip_int')
      .limit(BATCH)
      .execute();
    const found = firstFree(
      candidate,
      last,
      used.map((r) => Number(r.ip_int)),
      excluded,
    );
    if (found.free !== null) {
      await tx
        .updateTable('pools')
        .set({ scan_from: found.free + 1 })
        .where('id', '=', pool.id)
        .execute();
      return found.free;
    }
    if (used.length < BATCH) break;
    candidate = found.next;
  }
  throw new AppError(
    409,
    'pool_exhausted',
    `pool "${pool.name}" (${pool.network}) has no free address`,
    {
      details: [{ field: 'ip', message: `pool "${pool.name}" is exhausted` }],
    },
  );
}

/**
 * Walks from `start` over a sorted batch of used addresses; returns the first address neither
 * used nor excluded, or where to continue when the batch ran out.
 */
export function firstFree(
  start: number,
  last: number,
  used: number[],
  excluded: Excluded[],
): { free: number | null; next: number } {
  let candidate = start;
  let i = 0;
  const batchEnd = used.length === BATCH ? used[used.length - 1]! : last;
  while (candidate <= batchEnd) {
    const range = excluded.find((r) => candidate >= r.from && candidate <= r.to);
    if (range) {
      candidate = range.to + 1;
      continue;
    }
    while (i < used.length && used[i]! < candidate) i++;
    if (i < used.length && used[i] === candidate) {
      candidate++;
      continue;
    }
    return { free: candidate, next: candidate };
  }
  return { free: null, next: candidate };
}

/** Puts an address back: pools containing it will consider it again from the next allocation. */
export async function releaseIp(tx: Tx, ip: number): Promise<void> {
  await tx
    .updateTable('pools')
    .set({ scan_from: ip })
    .where('network_int', '<=', ip)
    .where('broadcast_int', '>=', ip)
    .where('scan_from', '>', ip)
    .execute();
}

/** An explicit address must lie inside a configured pool network and be a host address there. */
export async function checkExplicitIp(tx: Tx, ip: number): Promise<void> {
  const pools = await tx
    .selectFrom('pools')
    .selectAll()
    .where('network_int', '<=', ip)
    .where('broadcast_int', '>=', ip)
    .execute();
  const pool = pools[0];
  if (!pool) {
    throw unprocessable('ip', `${formatIpv4(ip)} is not inside any configured pool network`);
  }
  const { first, last } = hostRange(poolCidr(pool));
  if (ip < first || ip > last) {
    throw unprocessable(
      'ip',
      `${formatIpv4(ip)} is the network or broadcast address of ${pool.network}`,
    );
  }
}
