import { z } from 'zod';
import { nameSchema } from './hostname.ts';
import { cidrSchema, parseIpv4 } from './ipv4.ts';
import { macSchema } from './mac.ts';
import { serverNumberSchema } from './machine.ts';
import { hostnamePatternProblem, MAX_SEATS_PER_ROW } from './room-pattern.ts';

const descriptionSchema = z.string().max(200, 'at most 200 characters');

/** A switch, for LLDP registration: its chassis id says which room, RFS and HFS a port is in. */
export interface Switch {
  name: string;
  chassis: string;
  room: string;
  rfs: number;
  hfs: number;
}
export const switchCreateSchema = z
  .object({
    name: nameSchema,
    chassis: macSchema,
    room: nameSchema.default('other'),
    rfs: serverNumberSchema.default(0),
    hfs: serverNumberSchema.default(0),
  })
  .strict();
/** No defaults here: a PATCH changes only the fields it names. */
export const switchUpdateSchema = z
  .object({
    name: nameSchema,
    chassis: macSchema,
    room: nameSchema,
    rfs: serverNumberSchema,
    hfs: serverNumberSchema,
  })
  .partial()
  .strict();
export type SwitchCreate = z.output<typeof switchCreateSchema>;
export type SwitchUpdate = z.output<typeof switchUpdateSchema>;

export interface Room {
  name: string;
  description: string;
  /** Names registration suggests for new machines, e.g. `pas-r{row:02}p{seat:02}` (see room-pattern.ts). */
  hostname_pattern: string | null;
  /** Seats in a row, for `{row}` and `{seat}`. */
  seats_per_row: number | null;
}
const seatsPerRowSchema = z
  .number()
  .int('expected an integer')
  .min(1)
  .max(MAX_SEATS_PER_ROW, `at most ${MAX_SEATS_PER_ROW}`);
const patternSchema = z.string().max(100, 'at most 100 characters');

/** The pattern's rules as zod issues on the fields they concern (create: the whole room). */
function checkPattern(
  room: { hostname_pattern?: string | null; seats_per_row?: number | null },
  ctx: z.core.$RefinementCtx,
) {
  const problem = hostnamePatternProblem(room.hostname_pattern ?? null, room.seats_per_row ?? null);
  if (problem) ctx.addIssue({ code: 'custom', path: [problem.field], message: problem.message });
}

export const roomCreateSchema = z
  .object({
    name: nameSchema,
    description: descriptionSchema.default(''),
    hostname_pattern: patternSchema.nullable().default(null),
    seats_per_row: seatsPerRowSchema.nullable().default(null),
  })
  .strict()
  .superRefine(checkPattern);
/** A PATCH names only what changes; mdb checks the pattern against the merged room (422). */
export const roomUpdateSchema = z
  .object({
    description: descriptionSchema,
    hostname_pattern: patternSchema.nullable(),
    seats_per_row: seatsPerRowSchema.nullable(),
  })
  .partial()
  .strict();
export type RoomCreate = z.output<typeof roomCreateSchema>;
export type RoomUpdate = z.output<typeof roomUpdateSchema>;

/** `PUT /rooms/{name}/expected`: the hostnames still to register in the room, in order. */
export const expectedHostsSchema = z
  .object({ hostnames: z.array(z.string().max(63, 'at most 63 characters')).max(5000) })
  .strict();
export interface ExpectedHosts {
  room: string;
  hostnames: string[];
}

/** A machine type; `pool` names the IP pool its machines draw from (null: explicit IPs only). */
export interface MachineType {
  name: string;
  description: string;
  pool: string | null;
}
export const machineTypeCreateSchema = z
  .object({
    name: nameSchema,
    description: descriptionSchema.default(''),
    pool: nameSchema.nullable().default(null),
  })
  .strict();
export const machineTypeUpdateSchema = z
  .object({ description: descriptionSchema, pool: nameSchema.nullable() })
  .partial()
  .strict();

/** A reserved entry is one address or an inclusive range `a.b.c.d-a.b.c.e`. */
export const reservedEntrySchema = z.string().refine((v) => {
  const [from, to, extra] = v.split('-');
  if (extra !== undefined || from === undefined) return false;
  const a = parseIpv4(from);
  const b = to === undefined ? a : parseIpv4(to);
  return a !== null && b !== null && a <= b;
}, 'expected an IPv4 address or an ascending range like 192.168.0.240-192.168.0.250');

export interface Pool {
  name: string;
  network: string;
  reserved: string[];
  /** Machine types drawing from this pool (read-only here; set on the machine type). */
  mtypes: string[];
  /** Addresses in use by machines, and addresses the pool can hand out in all. */
  used: number;
  size: number;
}
export const poolCreateSchema = z
  .object({
    name: nameSchema,
    network: cidrSchema,
    reserved: z.array(reservedEntrySchema).max(256).default([]),
  })
  .strict();
export const poolUpdateSchema = z
  .object({ network: cidrSchema, reserved: z.array(reservedEntrySchema).max(256) })
  .partial()
  .strict();
export type PoolCreate = z.output<typeof poolCreateSchema>;
export type PoolUpdate = z.output<typeof poolUpdateSchema>;
