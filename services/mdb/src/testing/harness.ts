import { createLogger, createMetricsRegistry, validateConfig } from '@lanctl/core';
import type { Engine } from '@lanctl/db';
import type { Role } from '@lanctl/model';
import {
  callJson,
  createTestKeys,
  freshDatabaseUrl,
  type TestKeys,
  tempDir,
} from '@lanctl/testkit';
import { create, type MdbService, mdbConfigSchema } from '../index.ts';

export interface MdbHarness {
  url: string;
  service: MdbService;
  keys: TestKeys;
  token(role: Role): string;
  /** fetch against the service with a token of `role` (root by default, null: none). */
  call(
    method: string,
    path: string,
    body?: unknown,
    role?: Role | null,
  ): Promise<{ status: number; body: any }>;
  /** Moves the service's clock (self-registration expiry is evaluated at read time). */
  setNow(date: Date): void;
  close(): Promise<void>;
}

/** A real mdb on a loopback port 0, on a fresh database of the given engine (tests only). */
export async function startMdb(
  engine: Engine,
  extra: Record<string, unknown> = {},
): Promise<MdbHarness> {
  const dir = await tempDir('lanctl-mdb-');
  const db = await freshDatabaseUrl(engine);
  const keys = createTestKeys(dir.path);
  const config = validateConfig('test', mdbConfigSchema, {
    listen: { port: 0 },
    sync: { port: 0 },
    database: { url: db.url, pool_size: 4 },
    auth: { public_key_file: keys.files.publicKeyFile },
    ...extra,
  });
  let now: Date | undefined;
  const service = create(config, {
    logger: createLogger('mdb', { silent: true }),
    metrics: createMetricsRegistry(),
    publicKey: keys.publicKey,
    now: () => now ?? new Date(),
  });
  const listening = await service.start();
  return {
    url: listening.url,
    service,
    keys,
    token: keys.token,
    setNow: (date) => {
      now = date;
    },
    call: (method, path, body, role = 'root') =>
      callJson(listening.url, method, path, body, role ? keys.token(role) : null),
    async close() {
      await service.stop();
      await db.cleanup();
      await dir.cleanup();
    },
  };
}
