/** `GET /api/v1/boot/status?room=` (packages/client `BootStatus`) and how the board sums it up. */

export interface MachineBoot {
  hostname: string;
  mac: string;
  ip: string;
  stage: string | null;
  ok: boolean;
  last_at: string | null;
  verdict: string;
}

export interface BootStatus {
  room: string | null;
  sources: Record<'dhcp' | 'tftp' | 'netboot', string>;
  machines: MachineBoot[];
}

/** The stages of a network boot in order (packages/boot BOOT_STAGES). */
export const STAGES = [
  'dhcp-firmware',
  'tftp',
  'dhcp-ipxe',
  'bootstrap',
  'script',
  'registration',
  'kernel',
  'initrd',
  'loaded',
] as const;

export type Outcome = 'booted' | 'booting' | 'stuck' | 'unseen';

/** A boot not finished and silent for this long is called stuck. */
export const STUCK_MS = 2 * 60_000;

export function outcomeOf(m: MachineBoot, now: number): Outcome {
  if (m.ok) return 'booted';
  if (m.stage === null || m.last_at === null) return 'unseen';
  return now - Date.parse(m.last_at) > STUCK_MS ? 'stuck' : 'booting';
}

/** How far a boot got, 0 (nothing seen) to STAGES.length. */
export const stageStep = (stage: string | null): number =>
  stage === null ? 0 : STAGES.indexOf(stage as (typeof STAGES)[number]) + 1;

export function countOutcomes(machines: readonly MachineBoot[], now: number) {
  const counts: Record<Outcome, number> = { booted: 0, booting: 0, stuck: 0, unseen: 0 };
  for (const m of machines) counts[outcomeOf(m, now)]++;
  return counts;
}

/** "12 s ago", "3 min ago", "2 h ago". */
export function ago(iso: string | null, now: number): string {
  if (!iso) return '—';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  return `${Math.floor(s / 3600)} h ago`;
}
