/**
 * The DHCP + TFTP servers a netboot test boots against: ours (`lanctl serve dhcp` and
 * `lanctl serve tftp` in the server namespace, the DHCP server following the test's mdb), or
 * dnsmasq as a reference (LANCTL_NETBOOT_SERVERS=dnsmasq).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NetnsProcess, TestLan } from '@lanctl/testkit';
import { expect } from 'vitest';
import { isListening, jsonLines, waitForLine } from '../../scripts/bench/lib/log-lines.ts';
import type { MdbHarness } from '../../services/mdb/src/testing/harness.ts';
import { startDnsmasq } from './dnsmasq.ts';

const LANCTL_BIN = new URL('../../cli/bin/lanctl', import.meta.url).pathname;

/** br0's primary address: next-server, router, DNS and the HTTP fixture (SADM's gw.prolo). */
export const SERVER_IP = '192.168.1.254';
export const ALIEN_RANGE: [string, string] = ['192.168.250.1', '192.168.250.200'];

export interface Machine {
  hostname: string;
  mac: string;
  ip: string;
}

export interface NetbootSetup {
  dir: string;
  mdb: MdbHarness;
  bootUrl: string;
  /** The machines created in mdb (dnsmasq gets them statically). */
  known: Machine[];
  timeoutS: number;
}

export interface NetbootServers {
  /** Resolves once the DHCP server knows these MACs (it follows mdb's stream). */
  waitForMachines(macs: string[]): Promise<void>;
  /** Our servers only: boot events and TFTP figures of a UEFI boot. */
  checkUefiBoot?(mac: string, ip: string): Promise<void>;
  /** Our servers only: the HTTP APIs the netboot service's boot timeline reads. */
  timelineUrls?: { dhcp_url: string; tftp_url: string };
  logs(): string;
  stop(): Promise<void>;
}

export function startNetbootServers(lan: TestLan, setup: NetbootSetup): Promise<NetbootServers> {
  const which = process.env.LANCTL_NETBOOT_SERVERS ?? 'lanctl';
  if (which === 'dnsmasq') return Promise.resolve(dnsmasqServers(lan, setup));
  if (which === 'lanctl') return lanctlServers(lan, setup);
  throw new Error(`LANCTL_NETBOOT_SERVERS: lanctl or dnsmasq, got ${which}`);
}

function dnsmasqServers(lan: TestLan, setup: NetbootSetup): NetbootServers {
  const child = startDnsmasq(lan, {
    dir: setup.dir,
    serverIp: SERVER_IP,
    bootUrl: setup.bootUrl,
    known: setup.known,
    alienRange: ALIEN_RANGE,
    staticNetwork: '192.168.0.0',
    staticNetmask: '255.255.254.0',
    timeoutS: setup.timeoutS,
  });
  return {
    waitForMachines: async () => {},
    logs: () => child.output().slice(-6000),
    stop: async () => {
      await child.kill('SIGTERM');
    },
  };
}

/** SADM's plan: users and services share a /23 whose router is .1.254; aliens get .250.x. */
function dhcpConfig(lan: TestLan, setup: NetbootSetup, tokenFile: string): object {
  const lanSubnet = (name: string, network: string) => ({
    name,
    network,
    netmask: '255.255.254.0',
    router: SERVER_IP,
    dns: [SERVER_IP],
    next_server: SERVER_IP,
    interface: 'br0',
  });
  return {
    listen: { host: '0.0.0.0', port: 67 },
    plan: {
      subnets: [
        lanSubnet('users', '192.168.0.0/24'),
        lanSubnet('services', '192.168.1.0/24'),
        {
          name: 'aliens',
          network: '192.168.250.0/24',
          router: '192.168.250.254',
          dns: ['192.168.250.254'],
          next_server: '192.168.250.254',
          interface: 'br0',
          dynamic: { from: ALIEN_RANGE[0], to: ALIEN_RANGE[1], lease_seconds: 30 },
        },
      ],
      boot: { ipxe_url: setup.bootUrl },
    },
    upstream: setup.mdb.service.syncUrl,
    token_file: tokenFile,
    state_dir: join(setup.dir, 'dhcp-state'),
    http: { listen: { host: lan.uplink.ns, port: 0 } },
    auth: { public_key_file: setup.mdb.keys.files.publicKeyFile },
  };
}

async function serve(
  lan: TestLan,
  setup: NetbootSetup,
  name: string,
  config: object,
): Promise<{ process: NetnsProcess; http: string }> {
  const file = join(setup.dir, `${name}.yml`);
  writeFileSync(file, JSON.stringify(config));
  const process = lan.spawn(lan.server, [
    'timeout',
    String(setup.timeoutS),
    LANCTL_BIN,
    'serve',
    name,
    '--config',
    file,
  ]);
  const entry = await waitForLine(process, 30_000, (e) => (isListening(e) ? e : undefined)).catch(
    (error: Error) => {
      throw new Error(`lanctl serve ${name}: ${error.message}\n${process.output().slice(-3000)}`);
    },
  );
  return { process, http: String(entry.http) };
}

async function lanctlServers(lan: TestLan, setup: NetbootSetup): Promise<NetbootServers> {
  const tokenFile = join(setup.dir, 'reader.token');
  writeFileSync(tokenFile, setup.mdb.token('reader'));
  const dhcp = await serve(lan, setup, 'dhcp', dhcpConfig(lan, setup, tokenFile));
  const tftp = await serve(lan, setup, 'tftp', {
    listen: { host: '0.0.0.0', port: 69 },
    root: '/usr/lib/ipxe',
    http: { listen: { host: lan.uplink.ns, port: 0 } },
    auth: { public_key_file: setup.mdb.keys.files.publicKeyFile },
  });
  const logs = () =>
    `--- dhcp\n${dhcp.process.output().slice(-6000)}\n--- tftp\n${tftp.process.output().slice(-3000)}`;
  return {
    logs,
    timelineUrls: { dhcp_url: dhcp.http, tftp_url: tftp.http },
    waitForMachines: async (macs) => {
      // The DHCP server logs its table size at every update from mdb's machines stream.
      await waitForLine(dhcp.process, 30_000, (e) =>
        e.message === 'machine table updated' && Number(e.machines) >= macs.length ? e : undefined,
      );
    },
    checkUefiBoot: async (mac, ip) => {
      const res = await fetch(`${dhcp.http}/api/v1/boot-events?mac=${encodeURIComponent(mac)}`, {
        headers: { authorization: `Bearer ${setup.mdb.token('root')}` },
      });
      const body = (await res.json()) as {
        events: { kind: string; address: string | null; type: string }[];
      };
      expect(res.status, JSON.stringify(body)).toBe(200);
      const kinds = (kind: string) =>
        body.events.filter((e) => e.kind === kind && e.address === ip);
      // EDK2's PXE exchange, then iPXE's own, both for the machine's fixed address.
      expect(kinds('uefi').length, JSON.stringify(body.events, null, 1)).toBeGreaterThan(0);
      expect(kinds('ipxe').length, JSON.stringify(body.events, null, 1)).toBeGreaterThan(0);
      const metrics = await (await fetch(`${tftp.http}/metrics`)).text();
      const counter = (pattern: string) =>
        Number(new RegExp(`^lanctl_tftp_${pattern} (\\d+)`, 'm').exec(metrics)?.[1] ?? 0);
      // EDK2 asks for the size first and aborts with error 8, then downloads.
      expect(
        counter('transfers_failed_total\\{reason="client_abort"\\}'),
        metrics,
      ).toBeGreaterThanOrEqual(1);
      expect(counter('transfers_completed_total'), metrics).toBeGreaterThanOrEqual(1);
      const started = jsonLines(tftp.process).filter((e) => e.message === 'transfer started');
      expect(JSON.stringify(started)).toContain('snponly.efi');
    },
    stop: async () => {
      await Promise.all([dhcp.process.kill('SIGTERM'), tftp.process.kill('SIGTERM')]);
    },
  };
}
