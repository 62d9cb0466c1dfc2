import { z } from 'zod';

/**
 * root may do everything; orga reads mdb and manages `user` and `orga` accounts; reader is a
 * read-only service role; user is a contestant, who sees and changes only their own record.
 * People's roles are their udb group; service tokens carry root, orga or reader.
 */
export const ROLES = ['root', 'orga', 'reader', 'user'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.output<typeof roleSchema>;

/** Roles a service token may be created with (`lanctl token create --role`). */
export const SERVICE_ROLES = ['root', 'orga', 'reader'] as const;
