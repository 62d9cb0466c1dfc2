/**
 * The example configs in install/ are what an operator copies to /etc/lanctl: they must parse
 * with the service's schema and agree with the paths the systemd unit sets up. (Config examples
 * in services' READMEs are checked by tests/conventions.)
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@lanctl/core';
import { DEFAULT_MDB_PORT, mdbConfigSchema } from '@lanctl/mdb';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

describe('install/mdb.yml', () => {
  // loadConfig reads the YAML and validates it with validateConfig, as `lanctl serve` does;
  // env: {} so that no LANCTL_MDB_* variable of the test run changes what is checked.
  const load = () =>
    loadConfig('mdb', mdbConfigSchema, { path: join(ROOT, 'install/mdb.yml'), env: {} });

  it('parses with mdbConfigSchema', () => {
    expect(load).not.toThrow();
  });

  it('matches the unit: database in its state directory, key in /etc/lanctl, port 20000', () => {
    const config = load();
    const unit = readFileSync(join(ROOT, 'systemd/lanctl-mdb.service'), 'utf8');
    const stateDirectory = /^StateDirectory=(\S+)$/m.exec(unit)?.[1];
    expect(config.database.url.startsWith(`/var/lib/${stateDirectory}/`)).toBe(true);
    expect(config.auth.public_key_file.startsWith('/etc/lanctl/')).toBe(true);
    expect(config.listen).toEqual({ host: '127.0.0.1', port: DEFAULT_MDB_PORT });
    expect(config.auth.public_read).toBe(false);
  });

  it('sets every key to its default, so the example documents the defaults', () => {
    expect(load()).toEqual(mdbConfigSchema.parse({}));
  });
});
