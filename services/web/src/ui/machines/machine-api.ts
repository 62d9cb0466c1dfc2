import type { MachineBootTimeline } from '@lanctl/client';
import type { Machine, MachineImportResult } from '@lanctl/model';
import { api } from '../api.ts';

/** The machines calls beyond the list and the add form (mdb, netboot's timeline, presence). */

const one = (hostname: string) => `/machines/${encodeURIComponent(hostname)}`;

export const getMachine = (hostname: string) => api<Machine>('GET', one(hostname));
export const updateMachine = (hostname: string, patch: Record<string, unknown>) =>
  api<Machine>('PATCH', one(hostname), patch);
export const deleteMachine = (hostname: string) => api<Machine>('DELETE', one(hostname));

/** `POST /machines/import`: all or nothing; a dry run writes nothing (mdb README "Import"). */
export const importMachines = (rows: Record<string, unknown>[], dryRun: boolean) =>
  api<MachineImportResult>('POST', '/machines/import', { rows, dry_run: dryRun });

/** `GET /api/v1/machines/:hostname/boot`: the machine's last boot (netboot's timeline). */
export type BootTimeline = MachineBootTimeline;

export const bootTimeline = (hostname: string) => api<BootTimeline>('GET', `${one(hostname)}/boot`);

export interface PresenceSession {
  login: string;
  hostname: string;
  expires_at: string;
}

export const listPresence = () => api<{ items: PresenceSession[] }>('GET', '/presence');
