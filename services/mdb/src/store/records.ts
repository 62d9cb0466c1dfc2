import type { Machine, MachineType, Pool, Room, Switch } from '@lanctl/model';
import type { MachineRow, MachineTypeRow, PoolRow, RoomRow, SwitchRow } from '../schema.ts';

/** Row → API record. The same shape goes into the change log and onto the sync streams. */
export const toMachine = (r: MachineRow): Machine => ({
  hostname: r.hostname,
  aliases: JSON.parse(r.aliases),
  ip: r.ip,
  mac: r.mac,
  rfs: Number(r.rfs),
  hfs: Number(r.hfs),
  mtype: r.mtype,
  room: r.room,
  is_faulty: Boolean(Number(r.is_faulty)),
  is_faulty_details: r.is_faulty_details,
  uuid: r.uuid,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

export const toSwitch = (r: SwitchRow): Switch => ({
  name: r.name,
  chassis: r.chassis,
  room: r.room,
  rfs: Number(r.rfs),
  hfs: Number(r.hfs),
});

export const toRoom = (r: RoomRow): Room => ({ name: r.name, description: r.description });

export const toMachineType = (r: MachineTypeRow): MachineType => ({
  name: r.name,
  description: r.description,
  pool: r.pool,
});

export const toPool = (
  r: PoolRow,
  extra: { mtypes: string[]; used: number; size: number },
): Pool => ({
  name: r.name,
  network: r.network,
  reserved: JSON.parse(r.reserved),
  ...extra,
});
