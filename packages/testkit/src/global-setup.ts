import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the run's PostgreSQL cluster; tests create their own databases on it. */
    pgAdminUrl: string;
  }
}

/**
 * One PostgreSQL cluster for the whole run: starting one per test file would cost seconds each.
 * A missing PostgreSQL throws here, which fails the run instead of skipping the postgres half.
 */
export default async function setup({ provide }: Pick<TestProject, 'provide'>) {
  const cluster = await startPostgres();
  provide('pgAdminUrl', cluster.url);
  // Child processes (services started by tests) cannot call inject().
  process.env.LANCTL_TEST_PG_URL = cluster.url;
  return async () => {
    await cluster.stop();
  };
}
