import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '@lanctl/db';
import { inject } from 'vitest';
import { createTestDatabase } from './postgres.ts';

/** Every store runs its conformance suite on each of these: `describe.each(ENGINES)`. */
export const ENGINES = ['sqlite', 'postgres'] as const satisfies readonly Engine[];

export interface TempDir {
  path: string;
  cleanup(): Promise<void>;
}

export async function tempDir(prefix = 'lanctl-test-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** An empty database of the given engine that no other test touches. */
export async function freshDatabaseUrl(
  engine: Engine,
  tmpDirPrefix = 'lanctl-db-',
): Promise<{ url: string; cleanup(): Promise<void> }> {
  if (engine === 'sqlite') {
    const dir = await tempDir(tmpDirPrefix);
    return { url: join(dir.path, 'test.sqlite'), cleanup: dir.cleanup };
  }
  const database = await createTestDatabase(pgAdminUrl());
  return { url: database.url, cleanup: database.drop };
}

function pgAdminUrl(): string {
  const url = inject('pgAdminUrl') ?? process.env.LANCTL_TEST_PG_URL;
  if (!url) {
    throw new Error(
      'no PostgreSQL test cluster: run vitest with the root vitest.config.ts, whose globalSetup ' +
        '(packages/testkit/src/global-setup.ts) starts one',
    );
  }
  return url;
}
