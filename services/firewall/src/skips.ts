import type { Logger } from '@lanctl/core';
import type { FirewallMetrics } from './metrics.ts';
import type { Skipped } from './screen.ts';

/**
 * Reports addresses the set cannot hold: a warning and a count once per address when it starts
 * being left out (again after it was back in the set or gone), not at every update.
 */
export function createSkipLog(options: {
  logger: Logger;
  metrics: FirewallMetrics;
  target: string;
}): (skipped: readonly Skipped[]) => void {
  let current = new Set<string>();
  return (skipped) => {
    const next = new Set<string>();
    for (const s of skipped) {
      const key = `${s.ip} ${s.reason}`;
      next.add(key);
      if (current.has(key)) continue;
      options.metrics.skipped(s.reason);
      options.logger.warn('address left out of the allowed set: the set cannot hold it', {
        set: options.target,
        ip: s.ip,
        reason: s.reason,
        detail: s.detail,
      });
    }
    current = next;
    options.metrics.skippedNow(next.size);
  };
}
