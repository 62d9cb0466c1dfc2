import { BOOT_STAGES, type BootStage } from '@lanctl/boot';
import type { MachineBootStatus as MachineBoot } from '@lanctl/client';

/** `GET /api/v1/boot/status?room=` (packages/client's types) and how the board sums it up. */

export type { BootStatus, MachineBootStatus as MachineBoot } from '@lanctl/client';

/** The stages of a network boot in order. */
export const STAGES = BOOT_STAGES;

export type Outcome = 'booted' | 'booting' | 'stuck' | 'unseen';

/** A boot not finished and silent for this long is called stuck. */
export const STUCK_MS = 2 * 60_000;

export function outcomeOf(m: MachineBoot, now: number): Outcome {
  if (m.ok) return 'booted';
  if (m.stage === null || m.last_at === null) return 'unseen';
  return now - Date.parse(m.last_at) > STUCK_MS ? 'stuck' : 'booting';
}

/** How far a boot got, 0 (nothing seen) to STAGES.length. */
export const stageStep = (stage: BootStage | null): number =>
  stage === null ? 0 : STAGES.indexOf(stage) + 1;

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
