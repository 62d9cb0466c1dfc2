/**
 * `lanctl serve confgen` in process against a real mdb: follows the machines and pools streams,
 * applies only what changed after each burst, reports per output on /healthz and /metrics, keeps
 * serving its last good state from the state files while mdb is down.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ConfgenService, confgenConfigSchema, create } from '@lanctl/confgen';
import { createLogger, createMetricsRegistry, loadConfig, type Registry } from '@lanctl/core';
import { type TempDir, tempDir } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MdbHarness, startMdb } from '../../services/mdb/src/testing/harness.ts';
import { clearReloads, reloads, siteConfig, until } from './support.ts';

let mdb: MdbHarness;
let dir: TempDir;
let service: ConfgenService | undefined;
let metrics: Registry;
let url: string;

function start(upstream: string): Promise<unknown> {
  const config = siteConfig(dir.path, { upstream });
  metrics = createMetricsRegistry();
  service = create(config, {
    logger: createLogger('confgen', { silent: true }),
    metrics,
    token: () => mdb.token('reader'),
    backoff: { initialMs: 50, maxMs: 200 },
  });
  return service.start().then((l) => {
    url = l.url;
  });
}

const keaHosts = () =>
  JSON.parse(readFileSync(join(dir.path, 'kea-dhcp4.conf'), 'utf8'))
    .Dhcp4.subnet4.flatMap((s: any) => s.reservations)
    .map((r: any) => `${r.hostname} ${r['ip-address']}`);
const health = async () => (await fetch(`${url}/healthz`)).json() as Promise<any>;

/**
 * Waits until the daemon is healthy and made no apply for 10 debounce periods: a burst may be
 * rendered in several applies (how many depends on the machine's load), and an apply's reloads
 * run one after the other, so a test reading the reload log must let the last one finish.
 */
async function settled(): Promise<void> {
  const applies = () => metrics.getSingleMetricAsString('lanctl_confgen_applies_total');
  let last = '';
  await until(async () => {
    const now = await applies();
    const quiet = now === last && (await health()).ok === true;
    last = now;
    if (!quiet) await new Promise((r) => setTimeout(r, 500));
    return quiet;
  }, 'no apply for 500 ms');
}

beforeAll(async () => {
  mdb = await startMdb('sqlite');
  dir = await tempDir('lanctl-confgen-daemon-');
  const add = (hostname: string, mac: string, mtype = 'user') =>
    mdb.call('POST', '/api/v1/machines', { hostname, mac, mtype, room: 'pasteur' });
  expect((await add('pc1', '52:54:00:aa:00:01')).status).toBe(201);
  expect((await add('rfs0', '52:54:00:aa:01:00', 'service')).status).toBe(201);
  const syncUrl = mdb.service.syncUrl ?? mdb.url;
  await start(syncUrl);
});
afterAll(async () => {
  await service?.stop();
  await mdb.close();
  await dir.cleanup();
});

describe('confgen daemon', () => {
  it('renders every output from the streams and reports ok', async () => {
    await until(async () => (await health()).ok === true, 'healthy');
    expect(keaHosts()).toEqual(['pc1 192.168.0.1', 'rfs0 192.168.1.1']);
    const h = await health();
    expect(h.connected).toEqual({ machines: true, pools: true });
    expect(Object.keys(h.outputs).sort()).toEqual(['bind', 'dhcpd', 'dnsmasq', 'kea']);
    expect(readdirSync(join(dir.path, 'dnsmasq-hosts')).sort()).toEqual(['pc1', 'rfs0']);
  });

  it('applies a burst of changes, reloading only what changed', async () => {
    clearReloads(dir.path);
    for (const n of [2, 3, 4]) {
      const r = await mdb.call('POST', '/api/v1/machines', {
        hostname: `pc${n}`,
        mac: `52:54:00:aa:00:0${n}`,
        mtype: 'user',
        room: 'pasteur',
      });
      expect(r.status).toBe(201);
    }
    await until(() => keaHosts().length === 5, 'five reservations');
    await until(() => reloads(dir.path).includes('zone prolo normal'), 'zone reload');
    await settled();
    const lines = reloads(dir.path);
    // Zone reloads only for the zones that changed (how many renders the burst made depends on
    // the machine's load: debounce_ms is a quiet time, not asserted here).
    expect(lines).toContain('kea');
    expect(lines.filter((l) => l.startsWith('zone ')).sort()).toEqual(
      expect.arrayContaining(['zone 0.168.192.in-addr.arpa normal', 'zone prolo normal']),
    );
    expect(lines).not.toContain('zone 1.168.192.in-addr.arpa normal');
    expect(lines).not.toContain('dnsmasq'); // new host files only: dnsmasq's inotify reads them
  });

  it('renders nothing for a change no output reads (rfs)', async () => {
    await settled();
    clearReloads(dir.path);
    const text = await metrics.getSingleMetricAsString('lanctl_confgen_applies_total');
    const r = await mdb.call('PATCH', '/api/v1/machines/pc1', { rfs: 3 });
    expect(r.status).toBe(200);
    const r2 = await mdb.call('PATCH', '/api/v1/machines/pc2', { room: 'alt' });
    expect(r2.status).toBe(200);
    await until(
      async () => (await metrics.getSingleMetricAsString('lanctl_confgen_applies_total')) !== text,
      'an apply',
    );
    expect(reloads(dir.path)).toEqual([]);
  });

  it('serves /metrics with applies, reloads and last success per output', async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/lanctl_confgen_applies_total\{output="kea",result="written"\} \d+/);
    expect(text).toMatch(/lanctl_confgen_reloads_total\{output="kea",result="ok"\} \d+/);
    expect(text).toMatch(/lanctl_confgen_last_success_timestamp_seconds\{output="bind"\} \d+/);
    expect(text).toContain('lanctl_confgen_stream_connected{table="machines"} 1');
  });

  it('restarts from its state files while mdb is unreachable, writing the same files', async () => {
    await service!.stop();
    service = undefined;
    const kea = readFileSync(join(dir.path, 'kea-dhcp4.conf'), 'utf8');
    writeFileSync(join(dir.path, 'kea-dhcp4.conf'), '{}\n'); // lost output, mdb down
    clearReloads(dir.path);
    await start('http://127.0.0.1:9'); // nothing listens on the discard port
    // The last output applied is bind: once it has a result, the whole apply is done.
    await until(async () => (await health()).outputs.bind?.result != null, 'first apply');
    expect(readFileSync(join(dir.path, 'kea-dhcp4.conf'), 'utf8')).toBe(kea);
    const h = await health();
    expect(h.ok).toBe(false);
    expect(h.connected.machines).toBe(false);
    expect(h.outputs.kea.result).toBe('written');
    expect(h.outputs.bind.result).toBe('unchanged');
    expect(reloads(dir.path)).toEqual(['kea']);
  });

  it('install/confgen.yml is a valid site config', () => {
    const path = join(import.meta.dirname, '../../install/confgen.yml');
    expect(() => loadConfig('confgen', confgenConfigSchema, { path, env: {} })).not.toThrow();
  });
});
