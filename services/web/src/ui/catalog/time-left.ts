/** "1 h 02 min 05 s" from milliseconds; "0 s" once over. */
export function formatLeft(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (d) return `${d} d ${h} h ${pad(m)} min`;
  if (h) return `${h} h ${pad(m)} min ${pad(s)} s`;
  if (m) return `${m} min ${pad(s)} s`;
  return `${s} s`;
}

/** Durations a root can turn self-registration on for, in seconds. */
export const DURATIONS: readonly { label: string; seconds: number }[] = [
  { label: '15 minutes', seconds: 15 * 60 },
  { label: '30 minutes', seconds: 30 * 60 },
  { label: '1 hour', seconds: 3600 },
  { label: '2 hours', seconds: 2 * 3600 },
  { label: '4 hours', seconds: 4 * 3600 },
  { label: '8 hours', seconds: 8 * 3600 },
  { label: '1 day', seconds: 86400 },
];

/** Whether self-registration is on now, and for how long (null: no end set). */
export function registrationState(
  setting: { value: boolean; enabled_until: string | null } | undefined,
  now: number,
): { on: false } | { on: true; leftMs: number | null } {
  if (!setting?.value) return { on: false };
  if (setting.enabled_until === null) return { on: true, leftMs: null };
  const left = Date.parse(setting.enabled_until) - now;
  return left > 0 ? { on: true, leftMs: left } : { on: false };
}
