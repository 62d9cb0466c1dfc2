/**
 * The example configs in install/ are what an operator copies to /etc/lanctl: they must parse
 * with the service's schema and agree with the paths the systemd unit sets up. (Config examples
 * in services' READMEs are checked by tests/conventions.)
 */
import { describe, expect, it } from 'vitest';
import {
  configValue,
  credentialsDirectory,
  loadInstallConfig,
  SHIPPED,
  section,
  unitEnvironment,
  unitSource,
} from './units.ts';

describe.each(SHIPPED.map((s) => [s.name, s] as const))('install/%s.yml', (_, shipped) => {
  // env: {} so that no LANCTL_* variable of the test run changes what is checked.
  const asFile = () => loadInstallConfig(shipped);
  const asUnit = () => loadInstallConfig(shipped, unitEnvironment(shipped));
  const stateDirectory = () => section(unitSource(shipped), 'Service').get('StateDirectory')?.[0];

  it(`parses with ${shipped.name}ConfigSchema, alone and with the unit's Environment=`, () => {
    expect(asFile).not.toThrow();
    expect(asUnit).not.toThrow();
  });

  it('sets every key to its default, so the example documents the defaults', () => {
    expect(asFile()).toEqual(shipped.schema.parse({}));
  });

  it(`matches the unit: database in its state directory, public key in /etc/lanctl, port ${shipped.port}`, () => {
    const config = asUnit();
    expect(stateDirectory()).toBe(`lanctl/${shipped.name}`);
    expect(config.database.url.startsWith(`/var/lib/${stateDirectory()}/`)).toBe(true);
    expect(config.auth.public_key_file.startsWith('/etc/lanctl/')).toBe(true);
    expect(config.listen).toEqual({ host: '127.0.0.1', port: shipped.port });
    for (const [key, value] of Object.entries(shipped.pinned)) {
      expect(configValue(config, key), key).toEqual(value);
    }
  });

  it('writes files only in its state directory', () => {
    const config = asUnit();
    for (const key of shipped.writtenKeys) {
      expect(String(configValue(config, key)), key).toMatch(
        new RegExp(`^/var/lib/${stateDirectory()}/[^/]+$`),
      );
    }
  });

  it("reads secrets only from the unit's credentials, never from /etc/lanctl directly", () => {
    const config = asUnit();
    const loaded = Object.keys(shipped.credentials).map(
      (id) => `${credentialsDirectory(shipped)}/${id}`,
    );
    const used = shipped.secretKeys
      .map((key) => configValue(config, key))
      .filter((v) => v !== null);
    expect(used.sort()).toEqual(loaded.sort());
  });
});
