/**
 * The generated configs served by the real daemons to a real client in a throwaway LAN
 * (createTestLan): kea-dhcp4 -c <generated> and dnsmasq with the generated fragment and hostsdir,
 * in the server namespace; udhcpc in a client namespace gets the reserved address and boot file
 * (plain PXE-like and iPXE-like requests), an unknown MAC an alien lease with option 175.81
 * `alien`; a new machine is served after Kea's SIGHUP (config-reload, no restart) and, for
 * dnsmasq, with no signal at all (hostsdir inotify). One LAN for the file; tests run in order.
 */
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandRunner, renderOnce, type SiteState } from '@lanctl/confgen';
import {
  createTestLan,
  lastFailure,
  type NetnsProcess,
  udhcpc as runUdhcpc,
  setMac,
  type TempDir,
  type TestLan,
  tempDir,
} from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { machine, POOLS } from '../../services/confgen/src/testing/fixtures.ts';
import { siteConfig, until } from './support.ts';

const KNOWN = machine('pas-r01p01', '192.168.0.10', '52:54:00:cc:00:01');
const FAULTY = machine('pas-r01p02', '192.168.0.11', '52:54:00:cc:00:02', { is_faulty: true });
const LATE = machine('pas-r01p03', '192.168.0.12', '52:54:00:cc:00:03');
const ALIEN_MAC = '52:54:00:cc:09:09';
/** UEFI x64 PXE: option 93 (client arch) = 7. */
const UEFI = ['-x', '0x5d:0007'];
const IPXE = ['-x', `0x4d:${Buffer.from('iPXE').toString('hex')}`, '-O', '175'];
const hex = (s: string) => Buffer.from(s).toString('hex');

let lan: TestLan;
let dir: TempDir;
let ns: string;
let LAST = '';
const run = commandRunner(20_000);

/** The SADM site on br0, every subnet on the one link; reloads as configured per test. */
/** kea-dhcp4 -t checks that the interfaces exist: run it where Kea runs. */
const inServer = (argv: string[]) => ['ip', 'netns', 'exec', lan.server, ...argv];
const config = (extra: Record<string, unknown> = {}) => siteConfig(dir.path, extra, 'br0');

/** udhcpc as `mac`: the bound env (its script records it, the interface is not changed) or null. */
function udhcpc(mac: string, extra: string[] = []): Record<string, string> | null {
  setMac(lan, ns, mac);
  const env = runUdhcpc(lan, ns, dir.path, extra);
  if (!env) LAST = lastFailure;
  return env;
}

beforeAll(async () => {
  dir = await tempDir('lanctl-confgen-lan-');
  chmodSync(dir.path, 0o755);
  lan = createTestLan({ clients: 1, bridgeAddresses: ['192.168.1.254/23', '192.168.250.254/24'] });
  ns = lan.clients[0]!;
});
afterAll(async () => {
  await lan?.close();
  await dir?.cleanup();
});

const keaLog = () => join(dir.path, 'kea.log');
const keaOutput = () => readFileSync(keaLog(), { encoding: 'utf8', flag: 'a+' });

describe('generated Kea config served by kea-dhcp4', () => {
  let kea: NetnsProcess | undefined;
  afterAll(() => kea?.kill('SIGTERM'));
  const state: SiteState = { machines: [KNOWN, FAULTY], pools: POOLS };

  it('starts on the generated config', async () => {
    const pidFile = join(dir.path, 'kea.pid');
    const cfg = config({
      kea: {
        enabled: true,
        path: join(dir.path, 'kea-dhcp4.conf'),
        lease_file: join(dir.path, 'kea-leases4.csv'),
        control_socket: join(dir.path, 'kea.sock'),
        reload: ['/bin/sh', '-c', `kill -HUP $(cat ${pidFile})`],
        check: inServer(['kea-dhcp4', '-t', '{file}']),
      },
    });
    const result = await renderOnce(cfg, state, ['kea'], run);
    expect(result.results[0]!.failures).toEqual([]);
    kea = lan.spawn(
      lan.server,
      // Its log to a file: a pipe is not drained while a client runs (lan.exec is synchronous).
      [
        '/bin/sh',
        '-c',
        `echo $$ > ${pidFile}; exec kea-dhcp4 -c ${cfg.kea.path} > ${keaLog()} 2>&1`,
      ],
      {
        env: { ...process.env, KEA_PIDFILE_DIR: dir.path, KEA_LOCKFILE_DIR: dir.path },
      },
    );
    await until(() => keaOutput().includes('DHCP4_STARTED'), `kea started: ${keaOutput()}`);
  });

  it('gives a known machine its reserved address, host name, options and BIOS boot file', () => {
    const env = udhcpc(KNOWN.mac);
    expect(env).toMatchObject({
      ip: KNOWN.ip,
      hostname: KNOWN.hostname,
      domain: 'prolo',
      subnet: '255.255.254.0',
      router: '192.168.1.254',
      boot_file: 'undionly.kpxe',
      siaddr: '192.168.1.254',
    });
  });

  it('answers UEFI PXE (arch 7) with the UEFI boot file', () => {
    expect(udhcpc(KNOWN.mac, UEFI)).toMatchObject({ ip: KNOWN.ip, boot_file: 'snponly.efi' });
  });

  it('answers iPXE with the netboot URL; a faulty machine gets the faulty scriptlet', () => {
    const ipxe = udhcpc(KNOWN.mac, IPXE);
    expect(ipxe, `${LAST}\n${keaOutput().slice(-2500)}`).toMatchObject({
      ip: KNOWN.ip,
      boot_file: 'http://netboot/bootstrap',
    });
    const faulty = udhcpc(FAULTY.mac, IPXE);
    expect(faulty).toMatchObject({ ip: FAULTY.ip, boot_file: 'http://netboot/bootstrap' });
    expect(faulty!.opt175).toContain(`5106${hex('faulty')}`);
  });

  it('gives an unknown iPXE client an alien lease (30 s) with the alien scriptlet', () => {
    const env = udhcpc(ALIEN_MAC, IPXE);
    expect(env).toMatchObject({ lease: '30', boot_file: 'http://netboot/bootstrap' });
    expect(env!.ip).toMatch(/^192\.168\.250\.([1-9]|[1-9]\d|1\d\d|200)$/);
    expect(env!.opt175).toContain(`5105${hex('alien')}`);
  });

  it('serves a new machine after the reload (SIGHUP, same process)', async () => {
    // Unknown yet: an alien address from the aliens subnet of the same link (shared network).
    expect(udhcpc(LATE.mac)?.ip).toMatch(/^192\.168\.250\./);
    const cfg = config({
      kea: {
        enabled: true,
        path: join(dir.path, 'kea-dhcp4.conf'),
        lease_file: join(dir.path, 'kea-leases4.csv'),
        control_socket: join(dir.path, 'kea.sock'),
        reload: ['/bin/sh', '-c', `kill -HUP $(cat ${join(dir.path, 'kea.pid')})`],
        check: inServer(['kea-dhcp4', '-t', '{file}']),
      },
    });
    const result = await renderOnce(
      cfg,
      { ...state, machines: [KNOWN, FAULTY, LATE] },
      ['kea'],
      run,
    );
    expect(result.ok, JSON.stringify(result.results)).toBe(true);
    await until(
      () => keaOutput().includes('DHCP4_DYNAMIC_RECONFIGURATION_SUCCESS'),
      'kea reconfigured',
    );
    expect(udhcpc(LATE.mac)).toMatchObject({ ip: LATE.ip, hostname: LATE.hostname });
    expect(kea!.child.exitCode).toBeNull(); // reloaded, not restarted
  });
});

const dnsmasqLog = () => join(dir.path, 'dnsmasq.log');
const dnsmasqOutput = () => readFileSync(dnsmasqLog(), { encoding: 'utf8', flag: 'a+' });

describe('generated dnsmasq config served by dnsmasq', () => {
  let dnsmasq: NetnsProcess | undefined;
  afterAll(() => dnsmasq?.kill('SIGTERM'));
  const cfg = () => config();

  it('starts on the generated fragment and hostsdir', async () => {
    const c = cfg();
    const result = await renderOnce(c, { machines: [KNOWN], pools: POOLS }, ['dnsmasq'], run);
    expect(result.results[0]!.failures).toEqual([]);
    const argv = [
      'dnsmasq',
      '--no-daemon',
      '--port=0',
      '--user=root',
      `--conf-file=${c.dnsmasq.conf_path}`,
      `--dhcp-leasefile=${join(dir.path, 'dnsmasq.leases')}`,
      `--pid-file=${join(dir.path, 'dnsmasq.pid')}`,
      '--log-dhcp',
      `--log-facility=${dnsmasqLog()}`,
    ];
    // --no-daemon also copies the log to stderr: to /dev/null, since a pipe is not drained
    // while a client runs (lan.exec is synchronous) and a full pipe would block dnsmasq.
    dnsmasq = lan.spawn(lan.server, ['/bin/sh', '-c', 'exec "$@" > /dev/null 2>&1', 'sh', ...argv]);
    await until(
      () => /DHCP, IP range|started/.test(dnsmasqOutput()),
      `dnsmasq started: ${dnsmasqOutput()}`,
    );
  });

  it('gives a known machine its reserved address and BIOS boot file; UEFI and iPXE theirs', () => {
    expect(udhcpc(KNOWN.mac, UEFI)).toMatchObject({ ip: KNOWN.ip, boot_file: 'snponly.efi' });
    expect(udhcpc(KNOWN.mac)).toMatchObject({
      ip: KNOWN.ip,
      hostname: KNOWN.hostname,
      boot_file: 'undionly.kpxe',
    });
    const ipxe = udhcpc(KNOWN.mac, IPXE);
    expect(ipxe, `${LAST}\n${dnsmasqOutput().slice(-2500)}`).toMatchObject({
      ip: KNOWN.ip,
      boot_file: 'http://netboot/bootstrap',
    });
  });

  it('gives an unknown iPXE client an alien lease with the alien scriptlet', () => {
    const env = udhcpc(ALIEN_MAC, IPXE);
    expect(env?.ip).toMatch(/^192\.168\.250\./);
    expect(env!.opt175).toContain(`5105${hex('alien')}`);
  });

  it('serves a new machine with no signal (the new host file is read by inotify)', async () => {
    const result = await renderOnce(
      cfg(),
      { machines: [KNOWN, LATE], pools: POOLS },
      ['dnsmasq'],
      run,
    );
    expect(result.results[0]!.reloads).toEqual([]); // a new file only: no SIGHUP, no restart
    await until(() => dnsmasqOutput().includes('pas-r01p03'), 'dnsmasq read the host file');
    expect(udhcpc(LATE.mac)).toMatchObject({ ip: LATE.ip });
  });
});
