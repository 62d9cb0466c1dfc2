import { z } from 'zod';

/** root may do everything; orga reads mdb (and manages users, later); reader only reads. */
export const ROLES = ['root', 'orga', 'reader'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.output<typeof roleSchema>;
