/**
 * The whole netboot path with real firmware: QEMU (SeaBIOS + iPXE ROM, and OVMF's PXE chaining
 * to iPXE over our TFTP) against our DHCP, TFTP and netboot servers in a throwaway LAN, with an
 * in-process mdb. A known machine loads the kernel and initrd of its boot profile (Debian's
 * ipxe.lkrn / ipxe.efi stand in for Linux: when it runs, a second iPXE banner appears); an unknown
 * one gets the registration menu, which the test drives with keys (QMP send-key) as a root would
 * at the machine; the next boot takes the known path. Each step is checked in the boot timeline.
 */

import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueToken } from '@lanctl/auth';
import {
  createTestLan,
  type NetnsProcess,
  type TempDir,
  type TestLan,
  tempDir,
} from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isListening, waitForLine } from '../../scripts/bench/lib/log-lines.ts';
import { type MdbHarness, startMdb } from '../../services/mdb/src/testing/harness.ts';
import { openConsole, type VmConsole } from './console.ts';
import { bootVm, type Firmware, startRouterAdvertiser, type Vm } from './firmware.ts';
import { type NetbootServers, SERVER_IP, startNetbootServers } from './servers.ts';

const LANCTL_BIN = new URL('../../cli/bin/lanctl', import.meta.url).pathname;
const PORT = 8080;
const KNOWN = { hostname: 'pas-r01p01', mac: '52:54:00:00:05:01', mtype: 'user', room: 'pasteur' };
const KNOWN_UEFI = {
  hostname: 'pas-r01p02',
  mac: '52:54:00:00:05:02',
  mtype: 'user',
  room: 'pasteur',
};
const ALIEN_MAC = '52:54:00:00:05:a1';
const ALIEN_UEFI_MAC = '52:54:00:00:05:a2';
const PLANNED_MAC = '52:54:00:00:05:a3';
const FAULTY = { hostname: 'pas-r01p09', mac: '52:54:00:00:05:09', mtype: 'user', room: 'pasteur' };
/** Loops of the faulty machine's script: each replaces the last (`chain --replace`), none nests. */
const FAULTY_LOOPS = 40;
const NEW_HOSTNAME = 'pas-r05p01';
/** iPXE's banner: printed by the ROM, then again by the "kernel" (another iPXE) when it runs. */
const BANNER = /iPXE \d[^\n]*-- Open Source Network Boot Firmware/;
const VM_TIMEOUT_S = 200;
const SUITE_TIMEOUT_S = 900;

let lan: TestLan;
let dir: TempDir;
let mdb: MdbHarness;
let servers: NetbootServers;
let netboot: NetnsProcess;
let netbootApi: string;
const vms: Vm[] = [];

beforeAll(async () => {
  dir = await tempDir('lanctl-menu-');
  lan = createTestLan({ clients: 0, bridgeAddresses: [`${SERVER_IP}/23`, '192.168.250.254/24'] });
  lan.addBroadcastRoute();
  mdb = await startMdb('sqlite', { listen: { host: lan.uplink.host, port: 0 }, sync: { port: 0 } });
  for (const m of [KNOWN, KNOWN_UEFI, FAULTY]) {
    const r = await mdb.call('POST', '/api/v1/machines', m);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
  // UEFI iPXE cannot run a BIOS kernel: that machine's own profile loads an EFI image.
  const efi = await mdb.call('POST', '/api/v1/boot-profiles', {
    name: 'efi-test',
    kind: 'rfs',
    kernel: 'ipxe.efi',
    initrds: ['initramfs-linux.img'],
    cmdline: 'console=ttyS0',
  });
  expect(efi.status, JSON.stringify(efi.body)).toBe(201);
  await mdb.call('PATCH', `/api/v1/machines/${KNOWN_UEFI.hostname}`, { boot_profile: 'efi-test' });
  await mdb.call('PATCH', `/api/v1/machines/${FAULTY.hostname}`, {
    is_faulty: true,
    is_faulty_details: 'no screen',
  });
  const boot = join(dir.path, 'rfs0-boot');
  mkdirSync(boot);
  copyFileSync('/boot/ipxe.lkrn', join(boot, 'vmlinuz-linux'));
  copyFileSync('/boot/ipxe.efi', join(boot, 'ipxe.efi'));
  writeFileSync(join(boot, 'initramfs-linux.img'), Buffer.alloc(2 * 1024 * 1024, 0x5a));
  startRouterAdvertiser(lan, SUITE_TIMEOUT_S);
  servers = await startNetbootServers(lan, {
    dir: dir.path,
    mdb,
    bootUrl: `http://${SERVER_IP}:${PORT}/bootstrap`,
    known: [],
    timeoutS: SUITE_TIMEOUT_S,
  });
  netboot = await startNetboot(boot);
  netbootApi = `http://${lan.uplink.ns}:${PORT}`;
  await servers.waitForMachines([KNOWN.mac, KNOWN_UEFI.mac]);
}, 120_000);

afterAll(async () => {
  for (const vm of vms) await vm.process.kill('SIGKILL');
  await netboot?.kill('SIGTERM');
  await servers?.stop();
  await lan?.close();
  await mdb?.close();
  await dir?.cleanup();
});

async function startNetboot(boot: string): Promise<NetnsProcess> {
  const tokenFile = join(dir.path, 'netboot.token');
  const token = issueToken(mdb.keys.privateKey, {
    subject: 'netboot',
    role: 'reader',
    scopes: ['read', 'machines:register'],
  });
  writeFileSync(tokenFile, token, { mode: 0o600 });
  const config = join(dir.path, 'netboot.yml');
  writeFileSync(
    config,
    JSON.stringify({
      listen: { host: '0.0.0.0', port: PORT },
      public_url: `http://${SERVER_IP}:${PORT}`,
      upstream: mdb.service.syncUrl,
      mdb_url: mdb.url,
      token_file: tokenFile,
      auth: { public_key_file: mdb.keys.files.publicKeyFile },
      state_dir: join(dir.path, 'netboot-state'),
      rfs: { '0': { boot_dir: boot, nfs_ip: '192.168.1.10' } },
      // A room's plan is taken after 3 s without a key (no other menu has a timeout).
      // A faulty machine asks again every second here (a minute by default).
      delays: { lldp_wait_seconds: 1, menu_timeout_seconds: 3, faulty_seconds: 1 },
      timeline: servers.timelineUrls ?? { dhcp_url: null, tftp_url: null },
    }),
  );
  const child = lan.spawn(lan.server, [
    'timeout',
    String(SUITE_TIMEOUT_S),
    LANCTL_BIN,
    'serve',
    'netboot',
    '--config',
    config,
  ]);
  await waitForLine(child, 30_000, (e) => (isListening(e) ? e : undefined)).catch((e: Error) => {
    throw new Error(`lanctl serve netboot: ${e.message}\n${child.output().slice(-3000)}`);
  });
  // The tables come over mdb's streams: wait until the known machine gets its boot script.
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const r = await fetch(`http://${lan.uplink.ns}:${PORT}/boot/${KNOWN.mac}/`).catch(() => null);
    if ((await r?.text())?.includes('kernel ')) return child;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`netboot never served ${KNOWN.mac}:\n${child.output().slice(-3000)}`);
}

async function start(firmware: Firmware, mac: string): Promise<{ vm: Vm; console: VmConsole }> {
  const vm = bootVm(lan, { firmware, mac, dir: dir.path, timeoutS: VM_TIMEOUT_S, keyboard: true });
  vms.push(vm);
  return { vm, console: await openConsole(vm) };
}

async function stop(vm: Vm, console: VmConsole): Promise<void> {
  await console.close();
  await vm.process.kill('SIGKILL');
}

interface Timeline {
  sources: Record<string, string>;
  boot: {
    stage: string | null;
    ok: boolean;
    verdict: string;
    events: { source: string; stage: string; ok: boolean; summary: string }[];
  };
}

async function timeline(hostname: string): Promise<Timeline> {
  const res = await fetch(`${netbootApi}/api/v1/machines/${hostname}/boot`, {
    headers: { authorization: `Bearer ${mdb.token('reader')}` },
  });
  const body = (await res.json()) as Timeline;
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body;
}

/** A counter of the netboot service's /metrics (0 when absent). */
async function counter(series: string): Promise<number> {
  const text = await (await fetch(`${netbootApi}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return Number(line?.split(' ')[1] ?? 0);
}

const stages = (t: Timeline) => t.boot.events.filter((e) => e.ok).map((e) => e.stage);
const explain = (t: Timeline) => JSON.stringify(t, null, 1);

describe('netboot with real firmware: boot profiles and registration at the machine', () => {
  it('BIOS: a known machine loads the kernel and initrd of its profile and runs it', async () => {
    const { vm, console } = await start('bios', KNOWN.mac);
    try {
      await console.expect(BANNER, 60_000);
      await console.expect(`${KNOWN.hostname} (${KNOWN.mac}): profile contestant.`, 60_000);
      await console.expect(BANNER, 90_000);
    } finally {
      await stop(vm, console);
    }
    const t = await timeline(KNOWN.hostname);
    expect(stages(t), explain(t)).toEqual(
      expect.arrayContaining(['dhcp-ipxe', 'bootstrap', 'script', 'kernel', 'initrd']),
    );
  }, 200_000);

  it('UEFI: PXE, TFTP snponly.efi, iPXE, then the EFI image of its own profile', async () => {
    const { vm, console } = await start('uefi', KNOWN_UEFI.mac);
    try {
      await console.expect(
        `${KNOWN_UEFI.hostname} (${KNOWN_UEFI.mac}): profile efi-test.`,
        150_000,
      );
      await console.expect(BANNER, 90_000);
    } finally {
      await stop(vm, console);
    }
    const t = await timeline(KNOWN_UEFI.hostname);
    expect(stages(t), explain(t)).toEqual(
      expect.arrayContaining([
        'dhcp-firmware',
        'tftp',
        'dhcp-ipxe',
        'bootstrap',
        'script',
        'kernel',
        'initrd',
      ]),
    );
  }, 250_000);

  it(`a faulty machine shows its reason and asks again, ${FAULTY_LOOPS} times without nesting`, async () => {
    const { vm, console } = await start('bios', FAULTY.mac);
    try {
      await console.expect(`${FAULTY.hostname} (${FAULTY.mac}) is marked faulty`, 60_000);
      await console.expect('no screen', 10_000);
      const deadline = Date.now() + 150_000;
      while (
        (await counter('lanctl_netboot_scripts_total{kind="script",outcome="faulty"}')) <
        FAULTY_LOOPS
      ) {
        expect(Date.now(), await console.screen()).toBeLessThan(deadline);
        await new Promise((r) => setTimeout(r, 1000));
      }
      // Still alive and looping: the reason comes back once more after the last count.
      await console.expect('no screen', 10_000);
    } finally {
      await stop(vm, console);
    }
    const t = await timeline(FAULTY.hostname);
    expect(t.boot.stage, explain(t)).toBe('script');
    expect(t.boot.verdict, explain(t)).toContain('faulty');
  }, 250_000);

  it('registration closed: the unknown machine shows the refusal in its menu', async () => {
    await mdb.call('PUT', '/api/v1/settings/allow_self_registration', { value: false });
    const { vm, console } = await start('bios', ALIEN_MAC);
    try {
      await console.expect('This machine (52:54:00:00:05:a1) is not registered.', 90_000);
      await console.expect('Self-registration is closed', 30_000);
      await console.expect('Register this machine?', 30_000);
      await console.expect('T. Try again', 30_000);
    } finally {
      await stop(vm, console);
    }
    const machines = await mdb.call('GET', `/api/v1/machines?mac=${ALIEN_MAC}`);
    expect(machines.body.items).toEqual([]);
    expect(
      await counter('lanctl_netboot_scripts_total{kind="menu",outcome="closed"}'),
    ).toBeGreaterThan(0);
  }, 200_000);

  it('UEFI: an unknown machine reaches the registration menu too', async () => {
    await mdb.call('PUT', '/api/v1/settings/allow_self_registration', {
      value: true,
      duration_seconds: 3600,
    });
    const { vm, console } = await start('uefi', ALIEN_UEFI_MAC);
    try {
      await console.expect(`This machine (${ALIEN_UEFI_MAC}) is not registered.`, 150_000);
      await console.expect('Register this machine?', 30_000);
      await console.expect('M. Yes, register it without LLDP', 30_000);
    } finally {
      await stop(vm, console);
    }
  }, 250_000);

  it('registration open: typed at the machine through the menu, then the next boot is known', async () => {
    const on = await mdb.call('PUT', '/api/v1/settings/allow_self_registration', {
      value: true,
      duration_seconds: 3600,
    });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    const rooms = ((await mdb.call('GET', '/api/v1/rooms')).body.items as { name: string }[])
      .map((r) => r.name)
      .sort();
    const roomKey = String(rooms.indexOf('pasteur') + 1);
    const first = await start('bios', ALIEN_MAC);
    try {
      const c = first.console;
      await c.expect('Register this machine?', 90_000);
      await c.expect('M. Yes, register it without LLDP', 10_000);
      // Debian's iPXE has no LLDP: the LLDP path waits (1 s here), then falls back to manual.
      await c.type('l');
      await c.expect('No LLDP announcement received: manual registration.', 30_000);
      await c.expect('Room of this machine', 30_000);
      await c.type(roomKey);
      await c.expect('Hostname:', 30_000);
      await c.type(`{ctrl-u}${NEW_HOSTNAME}{enter}`);
      await c.expect('RFS number:', 30_000);
      await c.type('{ctrl-u}0{enter}');
      await c.expect('HFS number:', 30_000);
      await c.type('{ctrl-u}1{enter}');
      await c.expect('Machine type', 30_000);
      await c.type('{enter}');
      await c.expect('Is this correct?', 30_000);
      await c.type('y');
      await c.expect(
        new RegExp(
          `Registration done: this machine is now ${NEW_HOSTNAME} \\(192\\.168\\.0\\.\\d+\\)`,
        ),
        30_000,
      );
    } finally {
      await stop(first.vm, first.console);
    }
    const created = await mdb.call('GET', `/api/v1/machines/${NEW_HOSTNAME}`);
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body).toMatchObject({
      mac: ALIEN_MAC,
      room: 'pasteur',
      mtype: 'user',
      rfs: 0,
      hfs: 1,
    });
    await servers.waitForMachines([KNOWN.mac, KNOWN_UEFI.mac, ALIEN_MAC]);
    const second = await start('bios', ALIEN_MAC);
    try {
      await second.console.expect(`${NEW_HOSTNAME} (${ALIEN_MAC}): profile contestant.`, 90_000);
      await second.console.expect(BANNER, 90_000);
    } finally {
      await stop(second.vm, second.console);
    }
    const t = await timeline(NEW_HOSTNAME);
    expect(stages(t), explain(t)).toEqual(expect.arrayContaining(['script', 'kernel', 'initrd']));
    expect(t.boot.ok, explain(t)).toBe(true);
    expect(await counter('lanctl_netboot_registrations_total{outcome="registered"}')).toBe(1);
  }, 400_000);

  it("a room's plan: powered on, no key pressed, the machine registers as the next planned seat", async () => {
    const plan = await mdb.call('PUT', '/api/v1/rooms/pasteur/expected', {
      hostnames: ['pas-r06p01', 'pas-r06p02'],
    });
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    const { vm, console } = await start('bios', PLANNED_MAC);
    try {
      await console.expect('1. Next planned machine of room pasteur: pas-r06p01', 90_000);
      await console.expect(
        /Registration done: this machine is now pas-r06p01 \(192\.168\.0\.\d+\)/,
        60_000,
      );
    } finally {
      await stop(vm, console);
    }
    expect((await mdb.call('GET', '/api/v1/machines/pas-r06p01')).body.mac).toBe(PLANNED_MAC);
    const left = await mdb.call('GET', '/api/v1/rooms/pasteur/expected');
    expect(left.body.hostnames).toEqual(['pas-r06p02']);
  }, 200_000);
});
