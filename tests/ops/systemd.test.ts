/**
 * The shipped systemd units, checked offline: systemd is not PID 1 on the development and CI
 * machines, so a unit can be verified and rated here but never started (see install/mdb.md for
 * what that leaves untested). Every check runs on every unit of tests/ops/units.ts.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, SHIPPED, section, unitName, unitSource } from './units.ts';

const MAX_EXPOSURE = 2.0;

const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), 'lanctl-systemd-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * The unit as it would be installed here. `verify` checks that ExecStart's binary exists and is
 * executable, and `/usr/bin/lanctl` is only a symlink made at install time (install/mdb.md) to
 * `/opt/lanctl/cli/bin/lanctl`: so the copy points both at this checkout, the same launcher.
 */
function installedCopy(text: string, name: string): string {
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
const aboutUnit = (output: string, name: string) =>
  output.split('\n').filter((line) => line.includes(name.replace(/\.service$/, '')));

/** [Service] keys that name the service; everything else is the shared sandbox and lifecycle. */
const OWN_KEYS = ['User', 'Group', 'ExecStart', 'StateDirectory', 'LoadCredential', 'Environment'];

const sandbox = (text: string) =>
  new Map([...section(text, 'Service')].filter(([key]) => !OWN_KEYS.includes(key)));

it('systemd-analyze verify would report a mistake (the checks below are not blind)', async () => {
  const broken = unitSource(SHIPPED[0]!).replace('[Service]\n', '[Service]\nRestartt=always\n');
  const result = await analyze(['verify', installedCopy(broken, 'lanctl-broken.service')]);
  expect(aboutUnit(result.output, 'lanctl-broken.service').join('\n')).toMatch(
    /Unknown key 'Restartt'/,
  );
});

describe.each(SHIPPED.map((s) => [s.name, s] as const))(
  'systemd/lanctl-%s.service',
  (_, shipped) => {
    const name = unitName(shipped);
    const source = () => unitSource(shipped);
    let verify: { code: number; output: string };
    beforeAll(async () => {
      verify = await analyze(['verify', installedCopy(source(), name)]);
    });

    it('passes systemd-analyze verify with no warning about the unit', () => {
      expect(aboutUnit(verify.output, name), verify.output).toEqual([]);
      expect(verify.code, verify.output).toBe(0);
    });

    it(`runs \`lanctl serve ${shipped.name}\` as its own user with its config and state directory`, () => {
      const service = section(source(), 'Service');
      expect(service.get('ExecStart')).toEqual([
        `/usr/bin/lanctl serve ${shipped.name} --config /etc/lanctl/${shipped.name}.yml`,
      ]);
      expect(service.get('User')).toEqual([`lanctl-${shipped.name}`]);
      expect(service.get('Group')).toEqual([`lanctl-${shipped.name}`]);
      expect(service.get('StateDirectory')).toEqual([`lanctl/${shipped.name}`]);
      expect(service.get('StateDirectoryMode')).toEqual(['0700']);
      expect(service.get('Environment')).toContain('NODE_ENV=production');
      expect(service.get('Restart')).toEqual(['on-failure']);
      expect(service.get('KillSignal')).toEqual(['SIGTERM']);
      expect(service.has('TimeoutStopSec')).toBe(true);
    });

    it('loads exactly its credentials, from root-only files in /etc/lanctl', () => {
      const loaded = section(source(), 'Service').get('LoadCredential') ?? [];
      const expected = Object.entries(shipped.credentials).map(([id, path]) => `${id}:${path}`);
      expect(loaded.sort()).toEqual(expected.sort());
      for (const path of Object.values(shipped.credentials))
        expect(path).toMatch(/^\/etc\/lanctl\//);
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
        UMask: '0077',
      };
      for (const [key, value] of Object.entries(required)) {
        expect(service.get(key), key).toEqual([value]);
      }
      expect(service.get('SystemCallFilter')).toContain('@system-service');
      expect(service.has('DynamicUser')).toBe(false);
    });

    it(`has the same sandbox and lifecycle settings as ${unitName(SHIPPED[0]!)}`, () => {
      expect(sandbox(source())).toEqual(sandbox(unitSource(SHIPPED[0]!)));
    });

    it(`rates at most ${MAX_EXPOSURE} in systemd-analyze security`, async () => {
      const result = await analyze([
        'security',
        '--offline=yes',
        '--no-pager',
        installedCopy(source(), name),
      ]);
      const level = /Overall exposure level for \S+: ([\d.]+)/.exec(result.output)?.[1];
      expect(level, result.output).toBeDefined();
      expect(Number(level)).toBeLessThanOrEqual(MAX_EXPOSURE);
    });
  },
);

/**
 * Every unit shipped in systemd/, the root-run writers and the relay included (their sandboxes
 * differ from the daemons' above on purpose: see each unit's comments): it verifies cleanly and
 * rates within the exposure bound. A template is checked as its documented instance.
 */
const EVERY_UNIT = readdirSync(join(ROOT, 'systemd')).filter((f) => f.endsWith('.service'));

describe.each(EVERY_UNIT)('systemd/%s', (file) => {
  const name = file.replace('@.service', '@nfsroot.service');
  const text = () => readFileSync(join(ROOT, 'systemd', file), 'utf8');

  it('passes systemd-analyze verify with no warning about the unit', async () => {
    const result = await analyze(['verify', installedCopy(text(), name)]);
    expect(aboutUnit(result.output, name), result.output).toEqual([]);
  });

  it(`rates at most ${MAX_EXPOSURE} in systemd-analyze security`, async () => {
    const result = await analyze([
      'security',
      '--offline=yes',
      '--no-pager',
      installedCopy(text(), name),
    ]);
    const level = /Overall exposure level for \S+: ([\d.]+)/.exec(result.output)?.[1];
    expect(level, result.output).toBeDefined();
    expect(Number(level)).toBeLessThanOrEqual(MAX_EXPOSURE);
  });
});
