import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Logger, writeFileAtomic } from '@lanctl/core';
import { buildZones, type DnsPlan, nextSerials, type SerialState } from '@lanctl/dns-wire';
import type { Machine, Pool } from '@lanctl/model';
import { indexZones, type ZoneIndex } from './authority.ts';
import type { DnsMetrics } from './metrics.ts';

export interface ZoneStateDeps {
  logger: Logger;
  metrics: DnsMetrics;
  now: () => Date;
  /** Called after each rebuild with what it was built from (cluster workers rebuild the same). */
  onRebuild?: (machines: Machine[], pools: Pool[], serials: Record<string, SerialState>) => void;
}

function loadSerials(path: string, logger: Logger): Record<string, SerialState> {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (parsed && typeof parsed === 'object') return parsed as Record<string, SerialState>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      logger.warn('serials file unreadable, starting afresh', { path, error: String(e) });
  }
  return {};
}

/**
 * The machines and pools last received, and the zone index built from them. Every update
 * rebuilds every zone (pure `buildZones`), moves the serials of the zones whose content changed
 * and persists them, then swaps the index in: the next query sees the change.
 */
export function createZoneState(plan: DnsPlan, stateDir: string, deps: ZoneStateDeps) {
  const serialsFile = join(stateDir, 'serials.json');
  let machines: Machine[] = [];
  let pools: Pool[] = [];
  let serials: Record<string, SerialState> = {};
  let index: ZoneIndex = indexZones(buildZones(plan, [], []), {});
  let rebuilds = 0;
  let lastWarnings = '';

  function rebuild(): void {
    const t0 = performance.now();
    const set = buildZones(plan, machines, pools);
    const next = nextSerials(serials, set.zones, deps.now());
    const changed = set.zones
      .filter((z) => next[z.id]?.serial !== serials[z.id]?.serial)
      .map((z) => z.id);
    if (changed.length > 0) {
      try {
        writeFileAtomic(serialsFile, `${JSON.stringify(next, null, 1)}\n`, 0o644);
      } catch (e) {
        deps.logger.error('cannot persist serials', { path: serialsFile, error: String(e) });
      }
    }
    serials = next;
    index = indexZones(set, serials);
    const seconds = (performance.now() - t0) / 1000;
    rebuilds++;
    deps.metrics.rebuild.observe(seconds);
    deps.metrics.records.set(index.records);
    const warnings = set.warnings.join('; ');
    if (warnings !== lastWarnings && warnings)
      deps.logger.warn('zones built with warnings', { warnings: set.warnings });
    lastWarnings = warnings;
    const ms = Math.round(seconds * 10000) / 10;
    const counts = { machines: machines.length, pools: pools.length, records: index.records };
    deps.logger.info('zones rebuilt', { ...counts, changed_zones: changed, ms });
    deps.onRebuild?.(machines, pools, serials);
  }

  return {
    /** Loads the persisted serials and builds the zones from what is known (at start). */
    load(): void {
      serials = loadSerials(serialsFile, deps.logger);
      rebuild();
    },
    setMachines(list: Machine[]): void {
      machines = list;
      rebuild();
    },
    setPools(list: Pool[]): void {
      pools = list;
      rebuild();
    },
    index: () => index,
    get rebuilds() {
      return rebuilds;
    },
    serials: () => serials,
  };
}

export type ZoneState = ReturnType<typeof createZoneState>;
