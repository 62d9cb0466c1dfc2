/**
 * The DHCP server with real clients: `lanctl serve dhcp` in the server namespace of a throwaway
 * LAN (SADM's addresses: br0 192.168.1.254/23 and 192.168.250.254/24), following an in-process
 * mdb on the uplink; dhclient, udhcpc, perfdhcp and a scripted relay in client namespaces.
 * One LAN for the whole file (each namespace setup costs seconds on 2 cores); tests run in order.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestLan, type TestLan, tempDir, waitFor } from '../../packages/testkit/src/index.ts';
import { type MdbHarness, startMdb } from '../../services/mdb/src/testing/harness.ts';
import {
  type DhcpDaemon,
  dhclient,
  fetchOnce,
  probe,
  setMac,
  startDhcp,
  udhcpc,
} from './support.ts';

const SERVER = '192.168.1.254';
const RELAY_LAN = '192.168.1.50';
const GIADDR = '10.98.0.1';
const KNOWN = { hostname: 'pas-r01p01', mac: '52:54:00:aa:00:01', ip: '192.168.0.10' };
const LATE = { hostname: 'pas-r01p02', mac: '52:54:00:aa:00:04', ip: '192.168.0.11' };
const ALIEN = '52:54:00:aa:00:02';
const OTHER_ALIEN = '52:54:00:aa:00:03';
const IPXE_USER_CLASS = Buffer.from('iPXE').toString('hex');
const BOOT_URL = 'http://netboot/bootstrap';

let lan: TestLan;
let mdb: MdbHarness | null;
let dir: { path: string; cleanup(): Promise<void> };
let dhcp: DhcpDaemon;
let known: string;
let alien: string;
let relay: string;
let late: string;
let config: object;

/** A command in a namespace whose output matters whatever its exit code (perfdhcp exits 3 on drops). */
function runIn(ns: string, argv: string[]): string {
  const r = spawnSync('ip', ['netns', 'exec', ns, ...argv], { encoding: 'utf8', timeout: 100_000 });
  return `${r.stdout}\n${r.stderr}`;
}

const lanSubnet = (name: string, network: string) => ({
  name,
  network,
  netmask: '255.255.254.0',
  router: SERVER,
  dns: [SERVER],
  next_server: SERVER,
});

beforeAll(async () => {
  lan = createTestLan({ clients: 4, bridgeAddresses: ['192.168.1.254/23', '192.168.250.254/24'] });
  [known, alien, relay, late] = lan.clients as [string, string, string, string];
  setMac(lan, known, KNOWN.mac);
  setMac(lan, alien, ALIEN);
  setMac(lan, late, OTHER_ALIEN);
  // The relay: on the LAN at .1.50, its other link's address 10.98.0.1 (giaddr) behind it.
  lan.exec(relay, ['ip', 'addr', 'add', `${RELAY_LAN}/23`, 'dev', 'eth0']);
  lan.exec(relay, ['ip', 'addr', 'add', `${GIADDR}/32`, 'dev', 'eth0']);
  lan.exec(lan.server, ['ip', 'route', 'add', '10.98.0.0/21', 'via', RELAY_LAN]);
  dir = await tempDir('lanctl-dhcp-');
  mdb = await startMdb('sqlite', { listen: { host: lan.uplink.host, port: 0 } });
  const created = await mdb.call('POST', '/api/v1/machines', {
    ...KNOWN,
    mtype: 'user',
    room: 'pasteur',
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const tokenFile = `${dir.path}/reader.token`;
  writeFileSync(tokenFile, mdb.token('reader'));
  // A copy: mdb's own directory goes away with it (the mdb-down test), the server restarts after.
  copyFileSync(mdb.keys.files.publicKeyFile, `${dir.path}/signing.pub`);
  config = {
    listen: { host: '0.0.0.0', port: 67 },
    plan: {
      subnets: [
        lanSubnet('users', '192.168.0.0/24'),
        lanSubnet('servers', '192.168.1.0/24'),
        {
          name: 'aliens',
          network: '192.168.250.0/24',
          router: '192.168.250.254',
          dns: ['192.168.250.254'],
          next_server: '192.168.250.254',
          dynamic: { from: '192.168.250.1', to: '192.168.250.200', lease_seconds: 30 },
        },
        {
          name: 'far',
          network: '10.98.0.0/21',
          router: GIADDR,
          next_server: SERVER,
          dynamic: { from: '10.98.0.10', to: '10.98.7.250', lease_seconds: 600 },
        },
      ],
    },
    upstream: mdb.service.syncUrl,
    token_file: tokenFile,
    state_dir: `${dir.path}/state`,
    http: { listen: { host: lan.uplink.ns, port: 0 } },
    auth: { public_key_file: `${dir.path}/signing.pub` },
  };
  dhcp = await startDhcp(lan, dir.path, config);
  await waitFor(
    () => dhcp.logs().some((e) => e.message === 'machine table updated' && Number(e.machines) >= 1),
    'machine table',
    20_000,
  );
}, 90_000);

afterAll(async () => {
  await lan?.close();
  await mdb?.close();
  await dir?.cleanup();
});

describe('real clients', () => {
  it("dhclient gets a known machine's fixed address, host name and domain", async () => {
    const run = await dhclient(lan, known, dir.path);
    expect(run.env, run.output).toMatchObject({
      new_ip_address: KNOWN.ip,
      new_host_name: KNOWN.hostname,
      new_domain_name: 'prolo',
      new_subnet_mask: '255.255.254.0',
      new_routers: SERVER,
      new_dhcp_server_identifier: SERVER,
    });
  });

  it('falls back to the directed broadcast once, logged and counted (no route for 255.255.255.255 here)', async () => {
    expect(await dhcp.metric('lanctl_dhcp_broadcast_fallback_total')).toBe(1);
    const warning = dhcp
      .logs()
      .find((e) => String(e.message).startsWith('no route for 255.255.255.255'));
    expect(warning).toMatchObject({ level: 'warn', fallback: '192.168.1.255' });
  });

  it('udhcpc gets the same, keyed by its client id', () => {
    const env = udhcpc(lan, known, dir.path);
    expect(env).toMatchObject({
      ip: KNOWN.ip,
      hostname: KNOWN.hostname,
      domain: 'prolo',
      serverid: SERVER,
    });
  });

  it('an unknown iPXE client gets an alien lease, the boot URL and the alien scriptlet', async () => {
    const env = udhcpc(lan, alien, dir.path, ['-x', `0x4d:${IPXE_USER_CLASS}`, '-O', '175']);
    expect(env).toMatchObject({
      ip: '192.168.250.1',
      lease: '30',
      boot_file: BOOT_URL,
      serverid: '192.168.250.254',
    });
    expect(env!.opt175).toContain(`5105${Buffer.from('alien').toString('hex')}`);
  });

  it('a REQUEST for a wrong address (dhclient rebooting with a stale lease) gets a NAK', async () => {
    const naks = await dhcp.metric('lanctl_dhcp_sent_total', { type: 'NAK' });
    const stale = `lease {\n  interface "eth0";\n  fixed-address 192.168.0.99;\n  option subnet-mask 255.255.254.0;\n  option dhcp-server-identifier ${SERVER};\n  renew 4 2037/01/01 00:00:00;\n  rebind 4 2037/01/01 00:00:00;\n  expire 4 2037/01/01 00:00:00;\n}\n`;
    const run = await dhclient(lan, known, dir.path, stale);
    const why = `${run.events.join(',')}\n${run.output}\n${dhcp.process.output().slice(-3000)}`;
    expect(await dhcp.metric('lanctl_dhcp_sent_total', { type: 'NAK' }), why).toBeGreaterThan(naks);
    expect(run.env?.new_ip_address, why).toBe(KNOWN.ip);
    const token = mdb!.token('reader');
    const events = await dhcp.get(`/api/v1/boot-events?mac=${KNOWN.mac}&limit=50`, token);
    expect(events.status).toBe(200);
    const nak = events.body.events.find((e: any) => e.type === 'NAK');
    expect(nak).toMatchObject({ mac: KNOWN.mac, address: '192.168.0.99', kind: 'bios' });
    expect(nak.detail).toContain(`not ${KNOWN.hostname}'s address`);
    const bad = await dhcp.get('/api/v1/boot-events?mac=nope', token);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('mac');
    expect((await dhcp.get(`/api/v1/boot-events?mac=${KNOWN.mac}`)).status).toBe(401);
  });

  it('a REQUEST naming another server is ignored and counted', async () => {
    const before = await dhcp.metric('lanctl_dhcp_dropped_total', { reason: 'other-server' });
    const replies = probe(lan, relay, {
      bind: { address: GIADDR, port: 67 },
      to: { address: SERVER, port: 67 },
      mac: '52:54:00:bb:00:01',
      xid: 77,
      giaddr: GIADDR,
      options: {
        53: '03',
        50: Buffer.from([10, 98, 0, 10]).toString('hex'),
        54: Buffer.from([192, 168, 1, 253]).toString('hex'),
      },
      waitMs: 1000,
    });
    expect(replies).toEqual([]);
    expect(await dhcp.metric('lanctl_dhcp_dropped_total', { reason: 'other-server' })).toBe(
      before + 1,
    );
  });

  it("a relayed DISCOVER gets an address of the relay's subnet, sent to giaddr:67, option 82 echoed", () => {
    const option82 = '0104000000090202aabb';
    const replies = probe(lan, relay, {
      bind: { address: GIADDR, port: 67 },
      to: { address: SERVER, port: 67 },
      mac: '52:54:00:bb:00:02',
      xid: 78,
      giaddr: GIADDR,
      options: { 53: '01', 82: option82 },
      waitMs: 1500,
    });
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({
      type: 2,
      yiaddr: '10.98.0.10',
      giaddr: GIADDR,
      serverId: SERVER,
    });
    expect(replies[0]!.options['82']).toBe(option82);
  });

  it('perfdhcp through a relay: every DORA exchange completes, no drops', async () => {
    const out = runIn(relay, [
      'timeout',
      '90',
      'perfdhcp',
      '-4',
      '-r',
      '200',
      '-R',
      '500',
      '-n',
      '1000',
      '-W',
      '3000000',
      '-l',
      GIADDR,
      SERVER,
    ]);
    const metrics = await (await fetchOnce(`${dhcp.http}/metrics`)).text();
    const ours = metrics
      .split('\n')
      .filter((l) => /^lanctl_dhcp_(sent|received|dropped)_total/.test(l))
      .join('\n');
    const udp = (ns: string) =>
      lan
        .exec(ns, ['cat', '/proc/net/snmp'])
        .split('\n')
        .filter((l) => l.startsWith('Udp:'))
        .join('\n');
    const snmp = `relay ${udp(relay)}\nserver ${udp(lan.server)}`;
    const section = (name: string) => out.slice(out.indexOf(`***Statistics for: ${name}***`));
    for (const name of ['DISCOVER-OFFER', 'REQUEST-ACK']) {
      const stats = section(name);
      const sent = Number(/sent packets: (\d+)/.exec(stats)?.[1]);
      const received = Number(/received packets: (\d+)/.exec(stats)?.[1]);
      const drops = Number(/drops: (\d+)/.exec(stats)?.[1]);
      expect(
        { name, sent, received, drops },
        `${out}\n${ours}\n${snmp}\n${dhcp.process.output().slice(-3000)}`,
      ).toEqual({ name, sent: 1000, received: 1000, drops: 0 });
    }
  }, 120_000);
});

describe('durability and degraded mode', () => {
  it('kill -9 right after an ACK: after a restart the same MAC gets the same address, another does not', async () => {
    const first = udhcpc(lan, alien, dir.path);
    expect(first?.ip).toBe('192.168.250.1');
    await dhcp.process.kill('SIGKILL');
    dhcp = await startDhcp(lan, dir.path, config);
    await waitFor(
      () => dhcp.logs().some((e) => e.message === 'machine table updated'),
      'machine table',
      20_000,
    );
    expect(udhcpc(lan, alien, dir.path)?.ip).toBe('192.168.250.1');
    const leases = await dhcp.get('/api/v1/leases', mdb!.token('reader'));
    expect(leases.body.leases.find((l: any) => l.ip === '192.168.250.1')).toMatchObject({
      mac: ALIEN,
      state: 'bound',
      subnet: 'aliens',
      active: true,
    });
    const other = udhcpc(lan, late, dir.path);
    expect(other?.ip).toMatch(/^192\.168\.250\./);
    expect(other?.ip).not.toBe('192.168.250.1');
  }, 60_000);

  it('an mdb change (a new machine) is served by the next DISCOVER', async () => {
    setMac(lan, late, LATE.mac);
    const created = await mdb!.call('POST', '/api/v1/machines', {
      ...LATE,
      mtype: 'user',
      room: 'pasteur',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await waitFor(
      () =>
        dhcp.logs().some((e) => e.message === 'machine table updated' && Number(e.machines) >= 2),
      'new machine',
      20_000,
    );
    expect(udhcpc(lan, late, dir.path)).toMatchObject({ ip: LATE.ip, hostname: LATE.hostname });
  }, 60_000);

  it('mdb down: the last good table is still served, across a restart; /healthz is degraded', async () => {
    await mdb!.close();
    mdb = null;
    let health = await dhcp.get('/healthz');
    for (let i = 0; i < 100 && health.body.status !== 'degraded'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      health = await dhcp.get('/healthz');
    }
    expect(health).toMatchObject({
      status: 200,
      body: { ok: true, status: 'degraded', machines: 2 },
    });
    await dhcp.process.kill('SIGTERM');
    dhcp = await startDhcp(lan, dir.path, config);
    await waitFor(
      () => dhcp.logs().some((e) => e.message === 'machine table updated'),
      'state file',
      20_000,
    );
    expect(udhcpc(lan, known, dir.path)).toMatchObject({ ip: KNOWN.ip, hostname: KNOWN.hostname });
    health = await dhcp.get('/healthz');
    expect(health.body).toMatchObject({ ok: true, status: 'degraded' });
    expect(health.body.reason).toContain('disconnected');
    expect(await dhcp.metric('lanctl_dhcp_upstream_connected')).toBe(0);
  }, 60_000);
});
