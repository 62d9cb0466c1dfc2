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

/** One step of a boot, as netboot's timeline sends it (packages/boot `TimelineEvent`). */
export interface BootEvent {
  at: string;
  source: string;
  stage: string;
  ok: boolean;
  summary: string;
  ip: string | null;
}

/** `GET /api/v1/machines/:hostname/boot` (packages/client `MachineBootTimeline`). */
export interface BootTimeline {
  hostname: string | null;
  mac: string;
  ip: string | null;
  sources: Record<'dhcp' | 'tftp' | 'netboot', string>;
  boot: {
    started_at: string | null;
    last_at: string | null;
    stage: string | null;
    ok: boolean;
    verdict: string;
    events: BootEvent[];
  };
}

export const bootTimeline = (hostname: string) => api<BootTimeline>('GET', `${one(hostname)}/boot`);

export interface PresenceSession {
  login: string;
  hostname: string;
  expires_at: string;
}

export const listPresence = () => api<{ items: PresenceSession[] }>('GET', '/presence');
