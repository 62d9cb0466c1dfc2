/**
 * The generators' files against the real daemons' checkers, through `renderOnce` / `diffOnce`
 * (what `lanctl dhcp|dns render|diff` run): kea-dhcp4 -t, dnsmasq --test, named-checkzone (forward,
 * reverse and alien zones) and named-checkconf; no write and no reload when nothing changed; a
 * zone serial moves only for the zone that changed; a refused check keeps the old file.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  commandRunner,
  diffOnce,
  enabledOutputs,
  renderOnce,
  type SiteState,
} from '@lanctl/confgen';
import { type TempDir, tempDir } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MACHINES, machine, POOLS } from '../../services/confgen/src/testing/fixtures.ts';
import { clearReloads, reloads, siteConfig } from './support.ts';

const run = commandRunner(20_000);
let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('lanctl-confgen-');
});
afterAll(() => dir.cleanup());

const state: SiteState = { machines: MACHINES, pools: POOLS };
const mtimes = (root: string) =>
  readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name !== 'reloads.log')
    .map((d) => `${join(d.parentPath, d.name)} ${statSync(join(d.parentPath, d.name)).mtimeMs}`)
    .sort();
const serial = (file: string) => /SOA\t\S+ \S+ (\d+)/.exec(readFileSync(file, 'utf8'))![1];

describe('confgen outputs with the real checkers', () => {
  it('renders every output; each file passes its checker', async () => {
    const config = siteConfig(dir.path);
    const result = await renderOnce(config, state, enabledOutputs(config), run);
    expect(result.results.map((r) => [r.name, r.result, r.failures])).toEqual([
      ['kea', 'written', []],
      ['dnsmasq', 'written', []],
      ['dhcpd', 'written', []],
      ['bind', 'written', []],
    ]);
    expect(result.warnings).toContain('stray (10.1.2.3) is in no subnet of the DHCP plan');
    expect(readdirSync(join(dir.path, 'zones')).sort()).toEqual([
      'alien.250.168.192.in-addr.arpa.zone',
      'alien.prolo.zone',
      'normal.0.168.192.in-addr.arpa.zone',
      'normal.1.168.192.in-addr.arpa.zone',
      'normal.2.168.192.in-addr.arpa.zone',
      'normal.250.168.192.in-addr.arpa.zone',
      'normal.prolo.zone',
    ]);
    expect(readdirSync(join(dir.path, 'dnsmasq-hosts')).sort()).toEqual([
      'pas-r01p01',
      'pas-r01p02',
      'rfs0',
    ]);
    // named itself loads every zone of the views fragment (-z), forward, reverse and alien.
    const loaded = await promisify(execFile)('named-checkconf', ['-z', config.bind.conf_path], {
      timeout: 20_000,
    });
    const zonesLoaded = loaded.stdout.split('\n').filter((l) => / loaded serial \d+$/.test(l));
    expect(zonesLoaded).toHaveLength(7); // both views: 2 forward + 5 reverse
    expect(loaded.stdout).toMatch(/^zone 0\.168\.192\.in-addr\.arpa\/IN: loaded serial/m);
    // New files: reload the whole thing once per output, no per-zone reload of new zones.
    expect(reloads(dir.path).sort()).toEqual(['bind-conf', 'dhcpd', 'dnsmasq', 'kea']);
  });

  it('diff prints nothing and a second render writes and reloads nothing', async () => {
    const config = siteConfig(dir.path);
    clearReloads(dir.path);
    const before = mtimes(dir.path);
    expect((await diffOnce(config, state, enabledOutputs(config))).diff).toBe('');
    const again = await renderOnce(config, state, enabledOutputs(config), run);
    expect(again.results.map((r) => r.result)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
    expect(mtimes(dir.path)).toEqual(before);
    expect(reloads(dir.path)).toEqual([]);
  });

  it('after a change: diff shows it and touches nothing; render moves only the changed serials', async () => {
    const config = siteConfig(dir.path);
    const zones = join(dir.path, 'zones');
    const serials = Object.fromEntries(readdirSync(zones).map((f) => [f, serial(join(zones, f))]));
    const changed: SiteState = {
      machines: [
        ...MACHINES.filter((m) => m.hostname !== 'pas-r01p01'),
        machine('pas-r01p03', '192.168.0.12', '52:54:00:00:00:03'),
      ],
      pools: POOLS,
    };
    const before = mtimes(dir.path);
    const { diff } = await diffOnce(config, changed, enabledOutputs(config));
    expect(diff).toContain(`+++ ${join(dir.path, 'dnsmasq-hosts', 'pas-r01p03')}`);
    expect(diff).toContain(`+++ /dev/null`); // pas-r01p01's host file goes
    expect(diff).toContain('+host pas-r01p03 {');
    expect(diff).toContain('+pas-r01p03.prolo.\t10\tIN\tA\t192.168.0.12');
    expect(mtimes(dir.path)).toEqual(before);

    clearReloads(dir.path);
    const result = await renderOnce(config, changed, enabledOutputs(config), run);
    expect(result.ok).toBe(true);
    const after = Object.fromEntries(readdirSync(zones).map((f) => [f, serial(join(zones, f))]));
    const moved = Object.keys(after).filter((f) => after[f] !== serials[f]);
    expect(moved.sort()).toEqual(['normal.0.168.192.in-addr.arpa.zone', 'normal.prolo.zone']);
    expect(reloads(dir.path).sort()).toEqual([
      'dhcpd',
      'dnsmasq-hosts', // a host file removed: dnsmasq needs a SIGHUP to forget it (no restart)
      'kea',
      'zone 0.168.192.in-addr.arpa normal',
      'zone prolo normal',
    ]);
    expect(readdirSync(join(dir.path, 'dnsmasq-hosts')).sort()).toEqual([
      'pas-r01p02',
      'pas-r01p03',
      'rfs0',
    ]);
  });

  it('a refused check keeps the old file and reloads nothing', async () => {
    const good = siteConfig(dir.path);
    const refuse = ['/bin/sh', '-c', 'echo "line 3: syntax error" >&2; exit 1'];
    const config = { ...good, kea: { ...good.kea, check: refuse } };
    const path = good.kea.path;
    const old = readFileSync(path, 'utf8');
    clearReloads(dir.path);
    const more = {
      machines: [...MACHINES, machine('pc9', '192.168.0.99', '52:54:00:00:00:99')],
      pools: POOLS,
    };
    const result = await renderOnce(config, more, ['kea'], run);
    expect(result.ok).toBe(false);
    expect(result.results[0]!.failures[0]!.reason).toContain('line 3: syntax error');
    expect(readFileSync(path, 'utf8')).toBe(old);
    expect(readdirSync(dir.path).filter((f) => f.includes('lanctl-'))).toEqual([]);
    expect(reloads(dir.path)).toEqual([]);
  });

  it('a zone the real named-checkzone refuses keeps the old zone file and the views', async () => {
    const good = siteConfig(dir.path);
    // An apex with a CNAME next to SOA and NS is invalid: make the checker see one.
    const check = [
      '/bin/sh',
      '-c',
      'echo "@ 10 IN CNAME x." >> "$1" && named-checkzone "$0" "$1"',
      '{zone}',
      '{file}',
    ];
    const config = { ...good, bind: { ...good.bind, check_zone: check } };
    const conf = readFileSync(good.bind.conf_path, 'utf8');
    const more = {
      machines: [...MACHINES, machine('pc8', '192.168.0.98', '52:54:00:00:00:98')],
      pools: POOLS,
    };
    const result = await renderOnce(config, more, ['bind'], run);
    expect(result.ok).toBe(false);
    expect(result.results[0]!.failures[0]!.reason).toMatch(/named-checkzone/);
    expect(readFileSync(good.bind.conf_path, 'utf8')).toBe(conf);
    expect(readFileSync(join(dir.path, 'zones', 'normal.prolo.zone'), 'utf8')).not.toContain('pc8');
  });
});
