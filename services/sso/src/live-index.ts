import type { Logger } from '@lanctl/core';
import { buildIpIndex, type IpEntry, unknownOverrideHosts } from './ip-index.ts';
import type { SsoTables } from './tables.ts';

export interface LiveIndex {
  /** The current index (replaced whole on each rebuild, never mutated). */
  current(): ReadonlyMap<string, IpEntry>;
  rebuilds(): number;
  /** Rebuilds from the tables' current machines and sessions. */
  rebuild(tables: SsoTables): void;
}

/**
 * The address → login index the hot path reads, rebuilt from the followed tables; an override
 * naming a hostname mdb lacks is logged once per change of that list.
 */
export function liveIndex(overrides: Readonly<Record<string, string>>, logger: Logger): LiveIndex {
  let index = new Map<string, IpEntry>();
  let rebuilds = 0;
  let reportedUnknown = '';
  return {
    current: () => index,
    rebuilds: () => rebuilds,
    rebuild(tables) {
      const machines = tables.machines();
      index = buildIpIndex(machines, tables.sessions(), overrides);
      rebuilds++;
      if (!tables.loaded().machines) return;
      const unknown = unknownOverrideHosts(machines, overrides).join(', ');
      if (unknown !== reportedUnknown) {
        if (unknown)
          logger.warn('overrides name machines mdb does not have', { hostnames: unknown });
        reportedUnknown = unknown;
      }
    },
  };
}
