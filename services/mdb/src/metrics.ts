import type { Registry } from '@lanctl/core';
import { Counter, Gauge } from '@lanctl/core';
import type { Database } from '@lanctl/db';
import { headRevision } from '@lanctl/sync';
import type { MdbTables } from './schema.ts';
import type { MdbStore, RegistrationOutcome, RegistrationVia } from './store/index.ts';

/**
 * Domain gauges read from the database at scrape time (a few indexed counts), so an operator
 * sees a pool filling up before registrations start failing.
 */
export function registerMdbMetrics(
  registry: Registry,
  store: MdbStore,
  database: Database<MdbTables>,
): void {
  new Gauge({
    name: 'lanctl_mdb_machines',
    help: 'Machines in the database',
    registers: [registry],
    async collect() {
      const row = await database.db
        .selectFrom('machines')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirst();
      this.set(Number(row?.n ?? 0));
    },
  });
  // prom-client collects gauges concurrently, so each one reads what it shows.
  const poolGauge = (
    name: string,
    help: string,
    pick: (p: { used: number; size: number }) => number,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ['pool'],
      registers: [registry],
      async collect() {
        const pools = await store.pools.list();
        this.reset();
        for (const pool of pools.items) this.set({ pool: pool.name }, pick(pool));
      },
    });
  poolGauge(
    'lanctl_mdb_pool_used_addresses',
    'Addresses of a pool held by machines',
    (p) => p.used,
  );
  poolGauge(
    'lanctl_mdb_pool_size_addresses',
    'Addresses a pool can hand out (hosts minus reserved)',
    (p) => p.size,
  );
  new Gauge({
    name: 'lanctl_mdb_change_log_revision',
    help: 'Latest revision of the change log',
    registers: [registry],
    async collect() {
      this.set(await headRevision(database.db));
    },
  });
}

/** `lanctl_mdb_registrations_total{via, result}`: self-registrations (netboot API and SADM's register). */
export function registrationCounter(
  registry: Registry,
): (via: RegistrationVia, outcome: RegistrationOutcome) => void {
  const counter = new Counter({
    name: 'lanctl_mdb_registrations_total',
    help: 'Machine self-registrations by path (api, sadm) and result',
    labelNames: ['via', 'result'],
    registers: [registry],
  });
  return (via, result) => counter.inc({ via, result });
}
