import { statSync } from 'node:fs';
import type { HealthReport } from '@lanctl/core';
import type { MachineView } from './view.ts';

/**
 * How current the machine table is, for /healthz and the gauges: `ok` while the stream is up,
 * `degraded` (still serving) while it is down, `down` (503) when there is no table at all.
 */
export function createTableStatus(options: {
  view: MachineView;
  upstream: string;
  stateFile: string;
  connected: () => boolean;
  now: () => number;
}) {
  const { view, connected, now } = options;
  /** When the table was last known current (ms); the state file's age until the stream is up. */
  let currentAt: number | null = null;
  const age = (): number | null => {
    if (view.size === null) return null;
    if (connected()) currentAt = now();
    return Math.max(0, Math.round((now() - (currentAt ?? now())) / 1000));
  };
  return {
    age,
    /** After each applied batch (or the state file loaded at start). */
    updated(): void {
      if (connected()) currentAt = now();
      else currentAt ??= statSync(options.stateFile, { throwIfNoEntry: false })?.mtimeMs ?? now();
    },
    health(): HealthReport {
      const detail = { upstream: options.upstream, machines: view.size, table_age_seconds: age() };
      if (view.size === null) {
        const reason = 'no machine table yet: mdb unreachable and no state file';
        return { ok: false, status: 'down', reason, ...detail };
      }
      if (!connected()) {
        const reason = `machines stream from ${options.upstream} disconnected: serving the last good table`;
        return { ok: true, status: 'degraded', reason, ...detail };
      }
      return { ok: true, status: 'ok', ...detail };
    },
  };
}
