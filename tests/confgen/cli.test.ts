/**
 * `lanctl dhcp|dns render|diff` through the real CLI against a real mdb: diff on an unchanged
 * tree prints nothing and exits 0; after an mdb change it prints the change, exits 1 and touches
 * nothing; render applies, and a second render writes and reloads nothing.
 */
import { execFile } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type TempDir, tempDir } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MdbHarness, startMdb } from '../../services/mdb/src/testing/harness.ts';
import { clearReloads, reloads, siteConfig } from './support.ts';

const LANCTL = join(import.meta.dirname, '../../cli/bin/lanctl');
let mdb: MdbHarness;
let dir: TempDir;
let configFile: string;

async function lanctl(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const config = args.includes('--config') ? [] : ['--config', configFile];
  const argv = [...args, ...config, '--url', mdb.url, '--token', mdb.token('root')];
  try {
    const { stdout, stderr } = await promisify(execFile)(LANCTL, argv, {
      timeout: 60_000,
      env: { ...process.env, LANCTL_URL: '', LANCTL_TOKEN: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const mtimes = () =>
  readdirSync(dir.path, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name !== 'reloads.log')
    .map((d) => `${d.name} ${statSync(join(d.parentPath, d.name)).mtimeMs}`)
    .sort();

beforeAll(async () => {
  mdb = await startMdb('sqlite');
  dir = await tempDir('lanctl-confgen-cli-');
  configFile = join(dir.path, 'confgen.yml');
  writeFileSync(configFile, JSON.stringify(siteConfig(dir.path))); // JSON is YAML
  const r = await mdb.call('POST', '/api/v1/machines', {
    hostname: 'pc1',
    mac: '52:54:00:bb:00:01',
    mtype: 'user',
    room: 'pasteur',
  });
  expect(r.status).toBe(201);
});
afterAll(async () => {
  await mdb.close();
  await dir.cleanup();
});

describe('lanctl dhcp|dns render|diff', () => {
  it('render writes every output and reloads', async () => {
    const dhcp = await lanctl('dhcp', 'render');
    expect(dhcp.code, dhcp.stderr).toBe(0);
    expect(dhcp.stdout).toMatch(/^kea: written; wrote .*kea-dhcp4\.conf$/m);
    const dns = await lanctl('dns', 'render');
    expect(dns.code, dns.stderr).toBe(0);
    expect(dns.stdout).toMatch(/^bind: written/m);
    expect(reloads(dir.path).sort()).toEqual(['bind-conf', 'dhcpd', 'dnsmasq', 'kea']);
  });

  it('diff on an unchanged tree prints nothing and exits 0; render again touches nothing', async () => {
    clearReloads(dir.path);
    const before = mtimes();
    for (const word of ['dhcp', 'dns']) {
      const r = await lanctl(word, 'diff');
      expect([r.code, r.stdout], r.stderr).toEqual([0, '']);
    }
    const again = await lanctl('dhcp', 'render');
    expect(again.stdout).toContain('kea: unchanged');
    expect(mtimes()).toEqual(before);
    expect(reloads(dir.path)).toEqual([]);
  });

  it('after an mdb change, diff prints it, exits 1 and touches nothing', async () => {
    const r = await mdb.call('POST', '/api/v1/machines', {
      hostname: 'pc2',
      mac: '52:54:00:bb:00:02',
      mtype: 'user',
      room: 'pasteur',
    });
    expect(r.status).toBe(201);
    const before = mtimes();
    const dhcp = await lanctl('dhcp', 'diff', '--format', 'dhcpd');
    expect(dhcp.code).toBe(1);
    expect(dhcp.stdout).toBe(
      [
        `--- ${join(dir.path, 'generated.conf')}`,
        `+++ ${join(dir.path, 'generated.conf')}`,
        '@@ -3,3 +3,9 @@',
        '\tfixed-address 192.168.0.1;',
        '\toption host-name "pc1";',
        ' }',
        '+',
        '+host pc2 {',
        '+\thardware ethernet 52:54:00:bb:00:02;',
        '+\tfixed-address 192.168.0.2;',
        '+\toption host-name "pc2";',
        '+}',
        '',
      ]
        .join('\n')
        .replace('\tfixed-address 192.168.0.1;', ' \tfixed-address 192.168.0.1;')
        .replace('\toption host-name "pc1";', ' \toption host-name "pc1";'),
    );
    const dns = await lanctl('dns', 'diff');
    expect(dns.code).toBe(1);
    expect(dns.stdout).toContain('+pc2.prolo.\t10\tIN\tA\t192.168.0.2');
    expect(dns.stdout).toMatch(/^-prolo\.\t10\tIN\tSOA\t.* (\d+) 1200/m);
    expect(mtimes()).toEqual(before);
  });

  it('render --out - prints the config; errors exit 2 (diff) or 1 (render) with one line', async () => {
    const print = await lanctl('dhcp', 'render', '--format', 'kea', '--out', '-');
    expect(print.code).toBe(0);
    const hosts = JSON.parse(print.stdout).Dhcp4.subnet4[0].reservations.map(
      (h: any) => h.hostname,
    );
    expect(hosts).toEqual(['pc1', 'pc2']);
    writeFileSync(join(dir.path, 'bad.yml'), 'kea: { enabled: true }\n');
    const argvBad = ['--config', join(dir.path, 'bad.yml')];
    const bad = await lanctl('dhcp', 'diff', ...argvBad);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^lanctl: .*bad\.yml: key "dhcp": required when kea is enabled\n$/);
  });
});
