import { z } from 'zod';
import { hostnameSchema, nameSchema } from './hostname.ts';
import { macSchema } from './mac.ts';
import { serverNumberSchema } from './machine.ts';

/** The scope a token needs to register machines (the netboot service's token has it). */
export const REGISTER_SCOPE = 'machines:register';

/**
 * `POST /registrations`: a machine registering at its screen. Without `hostname`, the room's
 * next expected hostname, else its pattern's next free seat; without rfs/hfs, those of the
 * room's first switch.
 */
export const registrationSchema = z
  .object({
    hostname: hostnameSchema.optional(),
    mac: macSchema,
    room: nameSchema,
    mtype: nameSchema,
    rfs: serverNumberSchema.optional(),
    hfs: serverNumberSchema.optional(),
  })
  .strict();
export type Registration = z.output<typeof registrationSchema>;

export const registrationSuggestionQuerySchema = z.object({ room: nameSchema }).strict();

/** What registration would name a machine of this room now, and where the name comes from. */
export interface RegistrationSuggestion {
  room: string;
  hostname: string | null;
  source: 'expected' | 'pattern' | null;
  rfs: number;
  hfs: number;
}

/** At most this many machines in one import (and the body limit applies too). */
export const MAX_IMPORT_ROWS = 5000;

/** `POST /machines/import`: rows are machine creations, validated one by one (per-row errors). */
export const machineImportSchema = z
  .object({
    rows: z
      .array(z.unknown())
      .min(1, 'at least one row')
      .max(MAX_IMPORT_ROWS, `at most ${MAX_IMPORT_ROWS} rows`),
    dry_run: z.boolean().default(false),
  })
  .strict();

/** One problem of an import: `row` is 1-based in `rows`, `field` the column it concerns. */
export interface ImportRowError {
  row: number;
  field: string;
  message: string;
}

export interface MachineImportResult {
  dry_run: boolean;
  /** Machines created (or, on a dry run, that would be). */
  created: number;
  results: { row: number; hostname: string; ip: string; mac: string }[];
}
