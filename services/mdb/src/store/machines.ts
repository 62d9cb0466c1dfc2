import { randomUUID } from 'node:crypto';
import { conflict, notFound, unprocessable } from '@lanctl/core';
import { type Database, sql, type WriteTx, writeTransaction } from '@lanctl/db';
import {
  cidrContains,
  formatIpv4,
  type Machine,
  type MachineCreate,
  type MachineListQuery,
  type MachineUpdate,
  type Page,
  parseIpv4,
} from '@lanctl/model';
import { appendChange } from '@lanctl/sync';
import type { MachineRow, MdbTables } from '../schema.ts';
import { allocateIp, checkExplicitIp, poolCidr, releaseIp } from './allocate.ts';
import { toMachine } from './records.ts';
import { requireBootProfile, requireRoom, requireType } from './references.ts';

type Tx = WriteTx<MdbTables>;

/** Columns the `q` search matches besides the names (hostname and aliases, via host_names). */
const SEARCHED = ['ip', 'mac'];

export class MachineStore {
  constructor(
    private readonly database: Database<MdbTables>,
    private readonly now: () => Date,
  ) {}

  async list(query: MachineListQuery): Promise<Page<Machine>> {
    let q = this.database.db
      .selectFrom('machines')
      .selectAll()
      .orderBy('hostname')
      .limit(query.limit + 1);
    if (query.after !== undefined) q = q.where('hostname', '>', query.after);
    if (query.mtype !== undefined) q = q.where('mtype', '=', query.mtype);
    if (query.room !== undefined) q = q.where('room', '=', query.room);
    if (query.faulty !== undefined) q = q.where('is_faulty', '=', query.faulty ? 1 : 0);
    if (query.mac !== undefined) q = q.where('mac', '=', query.mac);
    if (query.ip !== undefined) q = q.where('ip', '=', query.ip);
    if (query.q) {
      const pattern = `%${query.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const like = (col: string) => sql<boolean>`${sql.ref(col)} LIKE ${pattern} ESCAPE '\\'`;
      q = q.where(({ or, exists, selectFrom }) =>
        or([
          ...SEARCHED.map(like),
          exists(
            selectFrom('host_names')
              .select('host_names.name')
              .whereRef('host_names.machine_id', '=', 'machines.id')
              .where(like('host_names.name')),
          ),
        ]),
      );
    }
    const rows = await q.execute();
    const items = rows.slice(0, query.limit).map(toMachine);
    const more = rows.length > query.limit;
    return { items, next: more ? items[items.length - 1]!.hostname : null };
  }

  async get(hostname: string): Promise<Machine> {
    const row = await this.database.db
      .selectFrom('machines')
      .selectAll()
      .where('hostname', '=', hostname.toLowerCase())
      .executeTakeFirst();
    if (!row) throw notFound(`machine "${hostname}"`);
    return toMachine(row);
  }

  create(input: MachineCreate): Promise<Machine> {
    return writeTransaction(this.database, (tx) =>
      insertMachine(tx, input, this.now().toISOString()),
    );
  }

  update(hostname: string, patch: MachineUpdate): Promise<Machine> {
    return writeTransaction(this.database, async (tx) => {
      const current = await loadRow(tx, hostname);
      const next: MachineRow = { ...current };
      const typeChanged = patch.mtype !== undefined && patch.mtype !== current.mtype;
      const type = await requireType(tx, patch.mtype ?? current.mtype);
      if (patch.room !== undefined && patch.room !== current.room)
        await requireRoom(tx, patch.room);
      const newHostname = patch.hostname ?? current.hostname;
      const newAliases = patch.aliases ?? (JSON.parse(current.aliases) as string[]);
      if (patch.hostname !== undefined || patch.aliases !== undefined) {
        await claimNames(tx, current.id, newHostname, newAliases);
        await tx.deleteFrom('host_names').where('machine_id', '=', current.id).execute();
        await insertNames(tx, current.id, newHostname, newAliases);
      }
      if (patch.mac !== undefined && patch.mac !== current.mac)
        await claimMac(tx, current.id, patch.mac);
      if (patch.boot_profile != null && patch.boot_profile !== current.boot_profile)
        await requireBootProfile(tx, patch.boot_profile);
      if (newHostname !== current.hostname) await consumeExpected(tx, newHostname);
      const ipInt = await this.nextIp(tx, current, patch, type, typeChanged);
      Object.assign(next, {
        hostname: newHostname,
        aliases: JSON.stringify(newAliases),
        ip: formatIpv4(ipInt),
        ip_int: ipInt,
        mac: patch.mac ?? current.mac,
        uuid: patch.uuid === undefined ? current.uuid : patch.uuid,
        rfs: patch.rfs ?? current.rfs,
        hfs: patch.hfs ?? current.hfs,
        mtype: patch.mtype ?? current.mtype,
        room: patch.room ?? current.room,
        is_faulty: patch.is_faulty === undefined ? current.is_faulty : patch.is_faulty ? 1 : 0,
        is_faulty_details: patch.is_faulty_details ?? current.is_faulty_details,
        boot_profile:
          patch.boot_profile === undefined ? (current.boot_profile ?? null) : patch.boot_profile,
      });
      if (sameRecord(current, next)) return toMachine(current);
      next.updated_at = this.now().toISOString();
      const { id, created_at, ...changes } = next;
      await tx.updateTable('machines').set(changes).where('id', '=', id).execute();
      const machine = toMachine(next);
      await appendChange(tx, { table: 'machines', entity_id: id, op: 'update', record: machine });
      return machine;
    });
  }

  remove(hostname: string): Promise<Machine> {
    return writeTransaction(this.database, async (tx) => {
      const current = await loadRow(tx, hostname);
      await tx.deleteFrom('host_names').where('machine_id', '=', current.id).execute();
      await tx.deleteFrom('machines').where('id', '=', current.id).execute();
      await releaseIp(tx, Number(current.ip_int));
      const machine = toMachine(current);
      await appendChange(tx, {
        table: 'machines',
        entity_id: current.id,
        op: 'delete',
        record: machine,
      });
      return machine;
    });
  }

  /**
   * The address after an update: an explicit new one, a fresh allocation for `ip: null`, or a
   * move into the new type's pool when the type changed and the old address lies outside it.
   */
  private async nextIp(
    tx: Tx,
    current: MachineRow,
    patch: MachineUpdate,
    type: { name: string; pool: string | null },
    typeChanged: boolean,
  ): Promise<number> {
    const old = Number(current.ip_int);
    if (patch.ip !== undefined && patch.ip !== null) {
      const wanted = parseIpv4(patch.ip)!;
      if (wanted === old) return old;
      const ip = await claimExplicitIp(tx, current.id, patch.ip);
      await releaseIp(tx, old);
      return ip;
    }
    let reallocate = patch.ip === null;
    if (!reallocate && typeChanged && type.pool !== null) {
      const pool = await tx
        .selectFrom('pools')
        .selectAll()
        .where('name', '=', type.pool)
        .executeTakeFirst();
      reallocate = pool !== undefined && !cidrContains(poolCidr(pool), old);
    }
    if (!reallocate) return old;
    const ip = await allocateFor(tx, type);
    await releaseIp(tx, old);
    return ip;
  }
}

/**
 * Creates one machine inside a write transaction (every creation path: the API, registrations,
 * imports, SADM's register and /update): references, names, MAC and address are checked and
 * claimed, the change is logged, and its hostname leaves every room's expect list.
 */
export async function insertMachine(tx: Tx, input: MachineCreate, stamp: string): Promise<Machine> {
  const type = await requireType(tx, input.mtype);
  await requireRoom(tx, input.room);
  if (input.boot_profile != null) await requireBootProfile(tx, input.boot_profile);
  const id = randomUUID();
  await claimNames(tx, id, input.hostname, input.aliases);
  await claimMac(tx, id, input.mac);
  const ipInt =
    input.ip !== null ? await claimExplicitIp(tx, id, input.ip) : await allocateFor(tx, type);
  const row: MachineRow = {
    id,
    hostname: input.hostname,
    aliases: JSON.stringify(input.aliases),
    ip: formatIpv4(ipInt),
    ip_int: ipInt,
    mac: input.mac,
    uuid: input.uuid,
    rfs: input.rfs,
    hfs: input.hfs,
    mtype: input.mtype,
    room: input.room,
    is_faulty: input.is_faulty ? 1 : 0,
    is_faulty_details: input.is_faulty_details,
    boot_profile: input.boot_profile ?? null,
    created_at: stamp,
    updated_at: stamp,
  };
  await tx.insertInto('machines').values(row).execute();
  await insertNames(tx, id, input.hostname, input.aliases);
  await consumeExpected(tx, input.hostname);
  const machine = toMachine(row);
  await appendChange(tx, { table: 'machines', entity_id: id, op: 'create', record: machine });
  return machine;
}

/** A hostname now in use is no longer expected anywhere. */
async function consumeExpected(tx: Tx, hostname: string): Promise<void> {
  await tx.deleteFrom('expected_hosts').where('hostname', '=', hostname).execute();
}

async function loadRow(tx: Tx, hostname: string): Promise<MachineRow> {
  const row = await tx
    .selectFrom('machines')
    .selectAll()
    .where('hostname', '=', hostname.toLowerCase())
    .executeTakeFirst();
  if (!row) throw notFound(`machine "${hostname}"`);
  return row;
}

async function allocateFor(tx: Tx, type: { name: string; pool: string | null }): Promise<number> {
  if (type.pool === null) {
    throw unprocessable('ip', `machine type "${type.name}" has no pool: give an explicit ip`);
  }
  return allocateIp(tx, type.pool);
}

/** Hostname and aliases must be distinct from each other and unused by any other machine. */
async function claimNames(tx: Tx, id: string, hostname: string, aliases: string[]): Promise<void> {
  if (aliases.includes(hostname)) {
    throw unprocessable('aliases', `must not repeat the hostname "${hostname}"`);
  }
  const taken = await tx
    .selectFrom('host_names')
    .innerJoin('machines', 'machines.id', 'host_names.machine_id')
    .select(['host_names.name', 'machines.hostname', 'machines.id'])
    .where('host_names.name', 'in', [hostname, ...aliases])
    .where('machines.id', '!=', id)
    .execute();
  const hit = taken[0];
  if (!hit) return;
  const field = hit.name === hostname ? 'hostname' : 'aliases';
  const role = hit.name === hit.hostname ? 'the hostname' : 'an alias';
  throw conflict(field, `"${hit.name}" is already ${role} of machine "${hit.hostname}"`, {
    hostname: hit.hostname,
  });
}

async function insertNames(tx: Tx, id: string, hostname: string, aliases: string[]) {
  const rows = [hostname, ...aliases].map((name) => ({ name, machine_id: id }));
  await tx.insertInto('host_names').values(rows).execute();
}

async function claimMac(tx: Tx, id: string, mac: string): Promise<void> {
  const hit = await tx
    .selectFrom('machines')
    .select('hostname')
    .where('mac', '=', mac)
    .where('id', '!=', id)
    .executeTakeFirst();
  if (hit) throw conflict('mac', `${mac} is already the MAC of machine "${hit.hostname}"`, hit);
}

async function claimExplicitIp(tx: Tx, id: string, ip: string): Promise<number> {
  const value = parseIpv4(ip)!;
  await checkExplicitIp(tx, value);
  const hit = await tx
    .selectFrom('machines')
    .select('hostname')
    .where('ip_int', '=', value)
    .where('id', '!=', id)
    .executeTakeFirst();
  if (hit) throw conflict('ip', `${ip} is already the address of machine "${hit.hostname}"`, hit);
  return value;
}

function sameRecord(a: MachineRow, b: MachineRow): boolean {
  return (Object.keys(a) as (keyof MachineRow)[]).every((k) => String(a[k]) === String(b[k]));
}
