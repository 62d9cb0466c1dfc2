import { z } from 'zod';
import { nameSchema } from './hostname.ts';
import { cidrSchema, parseIpv4 } from './ipv4.ts';
import { macSchema } from './mac.ts';
import { serverNumberSchema } from './machine.ts';

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
}
export const roomCreateSchema = z
  .object({ name: nameSchema, description: descriptionSchema.default('') })
  .strict();
export const roomUpdateSchema = z.object({ description: descriptionSchema }).partial().strict();

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
