import { ensureSigningKeys, issueToken, loadPrivateKey, loadPublicKey } from '@lanctl/auth';
import { createLogger, createMetricsRegistry, validateConfig } from '@lanctl/core';
import type { Engine } from '@lanctl/db';
import type { Role } from '@lanctl/model';
import { freshDatabaseUrl, tempDir } from '@lanctl/testkit';
import { create, type MdbService, mdbConfigSchema } from '../index.ts';

export interface MdbHarness {
  url: string;
  service: MdbService;
  token(role: Role): string;
  /** fetch against the service with a root token and a JSON body. */
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
  const keys = { privateKeyFile: `${dir.path}/key`, publicKeyFile: `${dir.path}/key.pub` };
  ensureSigningKeys(keys);
  const config = validateConfig('test', mdbConfigSchema, {
    listen: { port: 0 },
    database: { url: db.url, pool_size: 4 },
    auth: { public_key_file: keys.publicKeyFile },
    ...extra,
  });
  let now: Date | undefined;
  const service = create(config, {
    logger: createLogger('mdb', { silent: true }),
    metrics: createMetricsRegistry(),
    publicKey: loadPublicKey(keys.publicKeyFile),
    now: () => now ?? new Date(),
  });
  const listening = await service.start();
  const privateKey = loadPrivateKey(keys.privateKeyFile);
  const tokens = new Map<Role, string>();
  const token = (role: Role) => {
    if (!tokens.has(role))
      tokens.set(role, issueToken(privateKey, { subject: `test-${role}`, role }));
    return tokens.get(role)!;
  };
  return {
    url: listening.url,
    service,
    token,
    setNow: (date) => {
      now = date;
    },
    async call(method, path, body, role = 'root') {
      const headers: Record<string, string> = {};
      if (role) headers.authorization = `Bearer ${token(role)}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${listening.url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async close() {
      await service.stop();
      await db.cleanup();
      await dir.cleanup();
    },
  };
}
