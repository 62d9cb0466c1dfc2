import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { SKIP_REASONS, type SkipReason } from './screen.ts';
import { TABLES } from './sources.ts';

export type Trigger = 'change' | 'reassert' | 'retry';
export type Result = 'success' | 'failure';

export interface FirewallMetrics {
  applied(result: Result, trigger: Trigger, seconds: number, size: number | null): void;
  /** An address newly left out of the set (the set cannot hold it). */
  skipped(reason: SkipReason): void;
  /** How many addresses are left out now. */
  skippedNow(count: number): void;
}

/** `lanctl_firewall_*`, registered in the registry passed in (nothing at import). */
export function createFirewallMetrics(
  registry: Registry,
  waitingFor: () => readonly string[],
): FirewallMetrics {
  const size = new Gauge({
    name: 'lanctl_firewall_allowed_addresses',
    help: 'Addresses in the set as last applied',
    registers: [registry],
  });
  const applies = new Counter({
    name: 'lanctl_firewall_applies_total',
    help: 'Whole-set replacements, by result and trigger (change, reassert, retry)',
    labelNames: ['result', 'trigger'],
    registers: [registry],
  });
  for (const result of ['success', 'failure'])
    for (const trigger of ['change', 'reassert', 'retry']) applies.inc({ result, trigger }, 0);
  const last = new Gauge({
    name: 'lanctl_firewall_last_apply_timestamp_seconds',
    help: 'When the set was last replaced successfully (0: never)',
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'lanctl_firewall_apply_duration_seconds',
    help: 'Time to run one replacement (nft or ipset)',
    buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10],
    registers: [registry],
  });
  const skipped = new Counter({
    name: 'lanctl_firewall_addresses_skipped_total',
    help: 'Addresses left out of the set because it cannot hold them (counted once each time one starts being left out), by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  for (const reason of SKIP_REASONS) skipped.inc({ reason }, 0);
  const skippedNow = new Gauge({
    name: 'lanctl_firewall_skipped_addresses',
    help: 'Allowed addresses currently left out of the set (see GET /api/v1/firewall)',
    registers: [registry],
  });
  new Gauge({
    name: 'lanctl_firewall_waiting_for',
    help: '1 while a table was never received (nothing is applied until every one was)',
    labelNames: ['table'],
    registers: [registry],
    collect() {
      const waiting = new Set(waitingFor());
      for (const table of TABLES) this.set({ table }, waiting.has(table) ? 1 : 0);
    },
  });
  return {
    applied(result, trigger, seconds, newSize) {
      applies.inc({ result, trigger });
      duration.observe(seconds);
      if (result === 'success') {
        last.set(Date.now() / 1000);
        if (newSize !== null) size.set(newSize);
      }
    },
    skipped: (reason) => skipped.inc({ reason }),
    skippedNow: (count) => skippedNow.set(count),
  };
}
