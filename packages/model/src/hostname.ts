import { z } from 'zod';

/** An RFC 1123 label: 1–63 letters, digits and hyphens, not starting or ending with a hyphen. */
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export const HOSTNAME_MESSAGE =
  'expected an RFC 1123 host label: 1-63 letters, digits or hyphens, not starting or ending with a hyphen';

export function isHostLabel(value: string): boolean {
  return LABEL.test(value);
}

/** Host names are case-insensitive on the wire; they are stored lower-case. */
export const hostnameSchema = z
  .string()
  .transform((v) => v.replace(/[A-Z]/g, (c) => c.toLowerCase()))
  .refine(isHostLabel, HOSTNAME_MESSAGE);

export const aliasesSchema = z
  .array(hostnameSchema)
  .max(64, 'at most 64 aliases')
  .refine((list) => new Set(list).size === list.length, 'aliases must not repeat');

/** Names of data rows (rooms, machine types, pools, switches): a host label too. */
export const nameSchema = hostnameSchema;
