import type {
  BootProfile,
  BootProfileKind,
  Machine,
  MachineType,
  Pool,
  Room,
  Switch,
} from '@lanctl/model';
import type {
  BootProfileRow,
  MachineRow,
  MachineTypeRow,
  PoolRow,
  RoomRow,
  SwitchRow,
} from '../schema.ts';

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
  boot_profile: r.boot_profile ?? null,
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

export const toRoom = (r: RoomRow): Room => ({
  name: r.name,
  description: r.description,
  hostname_pattern: r.hostname_pattern ?? null,
  seats_per_row:
    r.seats_per_row === null || r.seats_per_row === undefined ? null : Number(r.seats_per_row),
});

export const toBootProfile = (r: BootProfileRow): BootProfile => ({
  name: r.name,
  description: r.description,
  kind: r.kind as BootProfileKind,
  kernel: r.kernel,
  initrds: JSON.parse(r.initrds),
  cmdline: r.cmdline,
  mtypes: JSON.parse(r.mtypes),
  rooms: JSON.parse(r.rooms),
  created_at: r.created_at,
  updated_at: r.updated_at,
});

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
