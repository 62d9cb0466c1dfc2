/**
 * Test-only: a real mdb (the owner a relay follows) on a database URL the test keeps, so it can be
 * stopped and started again on the same data and sync port. mdb's own harness (services/mdb/src/
 * testing/harness.ts) always starts on a fresh database. Services never import services; test
 * helpers may (tests/conventions excludes src/testing/).
 */
import { createLogger, createMetricsRegistry, validateConfig } from '@lanctl/core';
import { callJson, type JsonReply, type TestKeys } from '@lanctl/testkit';
import { create, mdbConfigSchema } from '../../../mdb/src/index.ts';

export interface TestMdb {
  url: string;
  /** The sync port's origin: what a relay's `upstream` names. */
  syncUrl: string;
  syncPort: number;
  call(method: string, path: string, body?: unknown): Promise<JsonReply>;
  /** Every machine, sorted by hostname, as GET /api/v1/machines returns them. */
  machines(): Promise<unknown[]>;
  /** Stops mdb; the database stays for the next start. */
  stop(): Promise<void>;
}

export async function startMdbOn(
  databaseUrl: string,
  keys: TestKeys,
  syncPort = 0,
): Promise<TestMdb> {
  const config = validateConfig('test', mdbConfigSchema, {
    listen: { port: 0 },
    sync: { port: syncPort, poll_ms: 100 },
    database: { url: databaseUrl, pool_size: 4 },
    auth: { public_key_file: keys.files.publicKeyFile },
  });
  const service = create(config, {
    logger: createLogger('mdb', { silent: true }),
    metrics: createMetricsRegistry(),
    publicKey: keys.publicKey,
  });
  const listening = await service.start();
  const syncUrl = service.syncUrl!;
  const call = (method: string, path: string, body?: unknown) =>
    callJson(listening.url, method, path, body, keys.token('root'));
  return {
    url: listening.url,
    syncUrl,
    syncPort: Number(new URL(syncUrl).port),
    call,
    async machines() {
      const reply = await call('GET', '/api/v1/machines?limit=1000');
      if (reply.status !== 200) throw new Error(`GET /machines: ${reply.status}`);
      return sortByHostname(reply.body.items);
    },
    stop: () => service.stop(),
  };
}

export const sortByHostname = (records: Iterable<unknown>): unknown[] =>
  [...records].sort((a, b) =>
    String((a as { hostname: string }).hostname).localeCompare(
      String((b as { hostname: string }).hostname),
    ),
  );
