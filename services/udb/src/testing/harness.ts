import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, createMetricsRegistry, validateConfig } from '@lanctl/core';
import type { Engine } from '@lanctl/db';
import {
  callJson,
  createTestKeys,
  freshDatabaseUrl,
  type JsonReply,
  type TestKeys,
  tempDir,
} from '@lanctl/testkit';
import { create, type UdbService, udbConfigSchema } from '../index.ts';

export interface UdbHarness {
  url: string;
  service: UdbService;
  keys: TestKeys;
  dir: string;
  /** The initial admin's password, as written on first start. */
  adminPassword: string;
  call(method: string, path: string, body?: unknown, token?: string | null): Promise<JsonReply>;
  close(): Promise<void>;
}

/** A real udb on loopback port 0 on a fresh database; its system passwd is a fixture. */
export async function startUdb(
  engine: Engine,
  extra: Record<string, unknown> = {},
): Promise<UdbHarness> {
  const dir = await tempDir('lanctl-udb-');
  const db = await freshDatabaseUrl(engine);
  const keys = createTestKeys(dir.path);
  const passwd = join(dir.path, 'passwd');
  writeFileSync(
    passwd,
    'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/:/usr/sbin/nologin\nnobody:x:65534:65534::/:/usr/sbin/nologin\nalice:x:1000:1000::/home/alice:/bin/bash\n',
  );
  const adminFile = join(dir.path, 'initial-admin-password');
  const config = validateConfig('test', udbConfigSchema, {
    listen: { port: 0 },
    sync: { port: 0 },
    database: { url: db.url, pool_size: 4 },
    auth: {
      public_key_file: keys.files.publicKeyFile,
      private_key_file: keys.files.privateKeyFile,
    },
    system_passwd_file: passwd,
    initial_admin_password_file: adminFile,
    ...extra,
  });
  const service = create(config, {
    logger: createLogger('udb', { silent: true }),
    metrics: createMetricsRegistry(),
    publicKey: keys.publicKey,
    privateKey: keys.privateKey,
  });
  const listening = await service.start();
  return {
    url: listening.url,
    service,
    keys,
    dir: dir.path,
    adminPassword: readFileSync(adminFile, 'utf8').trim(),
    call: (method, path, body, token) => callJson(listening.url, method, path, body, token),
    async close() {
      await service.stop();
      await db.cleanup();
      await dir.cleanup();
    },
  };
}
