/**
 * The shipped systemd units, checked offline: systemd is not PID 1 on the development and CI
 * machines, so a unit can be verified and rated here but never started (see install/mdb.md for
 * what that leaves untested).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const UNIT = 'lanctl-mdb.service';
const MAX_EXPOSURE = 2.0;

const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), 'lanctl-systemd-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const source = () => readFileSync(join(ROOT, 'systemd', UNIT), 'utf8');

/**
 * The unit as it would be installed here. `verify` checks that ExecStart's binary exists and is
 * executable, and `/usr/bin/lanctl` is only a symlink made at install time (install/mdb.md) to
 * `/opt/lanctl/cli/bin/lanctl`: so the copy points both at this checkout, the same launcher.
 */
function installedCopy(text: string, name = UNIT): string {
  const dir = mkdtempSync(join(tmp, 'unit-'));
  const file = join(dir, name);
  const copy = text
    .replaceAll('/usr/bin/lanctl', join(ROOT, 'cli/bin/lanctl'))
    .replaceAll('/opt/lanctl', ROOT);
  writeFileSync(file, copy);
  return file;
}

/** Everything `systemd-analyze` said (it reports unit problems on stderr and still exits 0). */
async function analyze(args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('systemd-analyze', args, { timeout: 30_000 });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (e) {
    const err = e as { code?: number | string; stdout?: string; stderr?: string };
    if (err.code === 'ENOENT') {
      throw new Error('systemd-analyze is missing: run `pnpm test:deps` (apt-get install systemd)');
    }
    return { code: Number(err.code), output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

/** Lines about the unit under test; other units' complaints (system packages) are not ours. */
const aboutUnit = (output: string, name = UNIT) =>
  output.split('\n').filter((line) => line.includes(name.replace(/\.service$/, '')));

/** `Key=value` pairs of one section; repeated keys keep every value. */
function section(text: string, name: string): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  let inside = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) inside = line === `[${name}]`;
    else if (inside && line && !line.startsWith('#')) {
      const at = line.indexOf('=');
      const key = line.slice(0, at);
      keys.set(key, [...(keys.get(key) ?? []), line.slice(at + 1)]);
    }
  }
  return keys;
}

describe(`systemd/${UNIT}`, () => {
  let verify: { code: number; output: string };
  beforeAll(async () => {
    verify = await analyze(['verify', installedCopy(source())]);
  });

  it('passes systemd-analyze verify with no warning about the unit', () => {
    expect(aboutUnit(verify.output), verify.output).toEqual([]);
    expect(verify.code, verify.output).toBe(0);
  });

  it('would report a mistake (the check above is not blind)', async () => {
    const broken = source().replace('[Service]\n', '[Service]\nRestartt=always\n');
    const result = await analyze(['verify', installedCopy(broken, 'lanctl-broken.service')]);
    expect(aboutUnit(result.output, 'lanctl-broken.service').join('\n')).toMatch(
      /Unknown key 'Restartt'/,
    );
  });

  it('runs `lanctl serve mdb` as its own user with its config and state directory', () => {
    const service = section(source(), 'Service');
    expect(service.get('ExecStart')).toEqual([
      '/usr/bin/lanctl serve mdb --config /etc/lanctl/mdb.yml',
    ]);
    expect(service.get('User')).toEqual(['lanctl-mdb']);
    expect(service.get('StateDirectory')).toEqual(['lanctl/mdb']);
    expect(service.get('Restart')).toEqual(['on-failure']);
    expect(service.get('KillSignal')).toEqual(['SIGTERM']);
    expect(service.has('TimeoutStopSec')).toBe(true);
  });

  it('keeps its sandbox', () => {
    const service = section(source(), 'Service');
    const required: Record<string, string> = {
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      PrivateDevices: 'yes',
      NoNewPrivileges: 'yes',
      ProtectKernelTunables: 'yes',
      ProtectKernelModules: 'yes',
      ProtectKernelLogs: 'yes',
      ProtectControlGroups: 'yes',
      RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX',
      CapabilityBoundingSet: '',
      RestrictNamespaces: 'yes',
      RestrictSUIDSGID: 'yes',
      LockPersonality: 'yes',
      SystemCallArchitectures: 'native',
    };
    for (const [key, value] of Object.entries(required)) {
      expect(service.get(key), key).toEqual([value]);
    }
    expect(service.get('SystemCallFilter')).toContain('@system-service');
    expect(service.has('DynamicUser')).toBe(false);
  });

  it(`rates at most ${MAX_EXPOSURE} in systemd-analyze security`, async () => {
    const result = await analyze([
      'security',
      '--offline=yes',
      '--no-pager',
      installedCopy(source()),
    ]);
    const level = /Overall exposure level for \S+: ([\d.]+)/.exec(result.output)?.[1];
    expect(level, result.output).toBeDefined();
    expect(Number(level)).toBeLessThanOrEqual(MAX_EXPOSURE);
  });
});
