import type { BootStage, BootSummary } from '@lanctl/boot';
import { type ClientOptions, createTransport } from './http.ts';

/** `GET /api/v1/machines/:hostname/boot`: one machine's last boot. */
export interface MachineBootTimeline {
  /** null: a MAC mdb does not know (an alien). */
  hostname: string | null;
  mac: string;
  ip: string | null;
  /** Per source: `ok`, `not configured` or `unavailable: <why>`. */
  sources: { dhcp: string; tftp: string; netboot: string };
  boot: BootSummary;
}

export interface MachineBootStatus {
  hostname: string;
  mac: string;
  ip: string;
  stage: BootStage | null;
  ok: boolean;
  last_at: string | null;
  verdict: string;
}

/** `GET /api/v1/boot/status`: every machine of a room (all without a room). */
export interface BootStatus {
  room: string | null;
  sources: { dhcp: string; tftp: string; netboot: string };
  machines: MachineBootStatus[];
}

export interface BootClient {
  /** The machine's last boot; `since` (ISO 8601) bounds how far back (24 h by default). */
  timeline(hostname: string, options?: { since?: string }): Promise<MachineBootTimeline>;
  /** The same for any MAC, registered or not (`GET /api/v1/boot/macs/:mac`). */
  timelineByMac(mac: string, options?: { since?: string }): Promise<MachineBootTimeline>;
  status(room?: string): Promise<BootStatus>;
}

/** The boot timeline API of the netboot service (through the API origin). */
export function createBootClient(options: ClientOptions): BootClient {
  const call = createTransport(options, 'netboot');
  return {
    timeline: (hostname, o = {}) =>
      call('GET', `/machines/${encodeURIComponent(hostname)}/boot`, { query: { since: o.since } }),
    timelineByMac: (mac, o = {}) =>
      call('GET', `/boot/macs/${encodeURIComponent(mac)}`, { query: { since: o.since } }),
    status: (room) => call('GET', '/boot/status', { query: { room } }),
  };
}
