/**
 * udb in this process on a given database, with its log lines going where the caller says: for
 * `pnpm bench:udb` (which must not load vitest, so not the testkit's harness) and for the tests
 * that read what udb logged. Keys, passwd fixture and admin password file live in `dir`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ensureSigningKeys, issueToken, loadPrivateKey, loadPublicKey } from '@lanctl/auth';
import { createLogger, createMetricsRegistry, validateConfig } from '@lanctl/core';
import { create, type UdbService, udbConfigSchema } from '@lanctl/udb';

export interface RunningUdb {
  url: string;
  service: UdbService;
  /** A root service token signed with the instance's key. */
  rootToken: string;
  /** The initial admin's password, from the file udb wrote on its first start. */
  adminPassword: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Where the JSON log lines go; by default they are formatted and dropped. */
  logStream?: NodeJS.WritableStream;
  /** Config keys layered over the defaults here (e.g. `login_rate_limit`). */
  config?: Record<string, unknown>;
}

export async function startUdbIn(
  dir: string,
  databaseUrl: string,
  options: StartOptions = {},
): Promise<RunningUdb> {
  const keys = { privateKeyFile: join(dir, 'key'), publicKeyFile: join(dir, 'key.pub') };
  ensureSigningKeys(keys);
  const passwd = join(dir, 'passwd');
  writeFileSync(passwd, 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534::/:/bin/false\n');
  const config = validateConfig('udb', udbConfigSchema, {
    listen: { host: '127.0.0.1', port: 0 },
    sync: { port: 0 },
    database: { url: databaseUrl, pool_size: 4 },
    auth: { public_key_file: keys.publicKeyFile, private_key_file: keys.privateKeyFile },
    system_passwd_file: passwd,
    initial_admin_password_file: join(dir, 'initial-admin-password'),
    ...options.config,
  });
  const privateKey = loadPrivateKey(keys.privateKeyFile);
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  const service = create(config, {
    logger: createLogger('udb', { stream: options.logStream ?? sink, level: 'debug' }),
    metrics: createMetricsRegistry(),
    publicKey: loadPublicKey(keys.publicKeyFile),
    privateKey,
  });
  const listening = await service.start();
  return {
    url: listening.url,
    service,
    rootToken: issueToken(privateKey, { subject: 'test-root', role: 'root' }),
    adminPassword: readFileSync(config.initial_admin_password_file, 'utf8').trim(),
    stop: () => service.stop(),
  };
}
