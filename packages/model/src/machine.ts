import { z } from 'zod';
import { aliasesSchema, hostnameSchema, nameSchema } from './hostname.ts';
import { ipv4Schema } from './ipv4.ts';
import { macSchema } from './mac.ts';

const SMBIOS_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** SMBIOS system UUID as dmidecode prints it; stored lower-case. */
export const smbiosUuidSchema = z
  .string()
  .transform((v) => v.toLowerCase())
  .refine(
    (v) => SMBIOS_UUID.test(v),
    'expected an SMBIOS UUID, e.g. 4c4c4544-0042-3510-8052-b4c04f4e4d32',
  );

/** RFS/HFS server numbers, as in SADM (`rfs0`, `hfs1`, ...). */
export const serverNumberSchema = z.number().int('expected an integer').min(0).max(999);

export const faultyDetailsSchema = z.string().max(1000, 'at most 1000 characters');

/** A machine as the API returns it and the change log records it (SADM's fields first). */
export interface Machine {
  hostname: string;
  aliases: string[];
  ip: string;
  mac: string;
  rfs: number;
  hfs: number;
  mtype: string;
  room: string;
  is_faulty: boolean;
  is_faulty_details: string;
  uuid: string | null;
  /**
   * The boot profile this machine boots whatever its type and room (null: chosen by
   * resolveBootProfile). Always sent by mdb; optional here for records saved before it existed.
   */
  boot_profile?: string | null;
  created_at: string;
  updated_at: string;
}

export const machineCreateSchema = z
  .object({
    hostname: hostnameSchema,
    mac: macSchema,
    aliases: aliasesSchema.default([]),
    ip: ipv4Schema.nullable().default(null),
    rfs: serverNumberSchema.default(0),
    hfs: serverNumberSchema.default(0),
    mtype: nameSchema.default('orga'),
    room: nameSchema.default('other'),
    is_faulty: z.boolean().default(false),
    is_faulty_details: faultyDetailsSchema.default(''),
    uuid: smbiosUuidSchema.nullable().default(null),
    boot_profile: nameSchema.nullable().default(null),
  })
  .strict();
export type MachineCreate = z.output<typeof machineCreateSchema>;

/** Every field is editable by roots; `ip: null` asks for a fresh allocation from the type's pool. */
export const machineUpdateSchema = z
  .object({
    hostname: hostnameSchema,
    mac: macSchema,
    aliases: aliasesSchema,
    ip: ipv4Schema.nullable(),
    rfs: serverNumberSchema,
    hfs: serverNumberSchema,
    mtype: nameSchema,
    room: nameSchema,
    is_faulty: z.boolean(),
    is_faulty_details: faultyDetailsSchema,
    uuid: smbiosUuidSchema.nullable(),
    boot_profile: nameSchema.nullable(),
  })
  .partial()
  .strict();
export type MachineUpdate = z.output<typeof machineUpdateSchema>;

const booleanQuery = z
  .enum(['true', 'false', '1', '0'])
  .transform((v) => v === 'true' || v === '1');

export const paginationSchema = {
  limit: z.coerce.number().int('expected an integer').min(1).max(5000).default(500),
  after: z.string().min(1).optional(),
};

export const machineListQuerySchema = z
  .object({
    ...paginationSchema,
    mtype: nameSchema.optional(),
    room: nameSchema.optional(),
    q: z.string().max(100).optional(),
    faulty: booleanQuery.optional(),
    mac: macSchema.optional(),
    ip: ipv4Schema.optional(),
  })
  .strict();
export type MachineListQuery = z.output<typeof machineListQuerySchema>;

export const listQuerySchema = z.object(paginationSchema).strict();
export type ListQuery = z.output<typeof listQuerySchema>;

/** A page of a list endpoint: `next` is the `after` cursor for the following page, or null. */
export interface Page<T> {
  items: T[];
  next: string | null;
}

/** Follows `next` cursors until the last page: every item of a paginated listing, in order. */
export async function collectAll<T>(page: (after?: string) => Promise<Page<T>>): Promise<T[]> {
  const out: T[] = [];
  let after: string | undefined;
  do {
    const current = await page(after);
    out.push(...current.items);
    after = current.next ?? undefined;
  } while (after !== undefined);
  return out;
}
