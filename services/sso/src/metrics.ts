import { Counter, Gauge, type Registry } from 'prom-client';
import type { TableName } from './tables.ts';

/** Answers of `GET /`, counted with plain integers on the hot path and read at scrape time. */
export interface AnswerCounts {
  known: number;
  unknown: number;
  bad: number;
}

export function createSsoMetrics(
  registry: Registry,
  read: {
    counts: AnswerCounts;
    connected: (table: TableName) => boolean;
    indexSize: () => number;
    rebuilds: () => number;
  },
): void {
  new Counter({
    name: 'lanctl_sso_answers_total',
    help: 'GET / answers: known (a login), unknown (no login), bad (X-Real-IP missing or invalid)',
    labelNames: ['status'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ status: 'known' }, read.counts.known);
      this.inc({ status: 'unknown' }, read.counts.unknown);
      this.inc({ status: 'bad' }, read.counts.bad);
    },
  });
  new Gauge({
    name: 'lanctl_sso_upstream_connected',
    help: '1 while the stream of this table is connected (else answers come from its last state)',
    labelNames: ['table'],
    registers: [registry],
    collect() {
      for (const table of ['machines', 'rooms', 'users', 'presence'] as const)
        this.set({ table }, read.connected(table) ? 1 : 0);
    },
  });
  new Gauge({
    name: 'lanctl_sso_index_entries',
    help: 'Machine addresses with a login (a presence session or an override)',
    registers: [registry],
    collect() {
      this.set(read.indexSize());
    },
  });
  new Counter({
    name: 'lanctl_sso_index_rebuilds_total',
    help: 'Rebuilds of the address → login index (on machines or presence changes)',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read.rebuilds());
    },
  });
}
