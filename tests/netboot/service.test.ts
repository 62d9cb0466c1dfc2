/**
 * The netboot service over real HTTP against a real mdb (SQLite): the scripts iPXE gets, the
 * registration path with its refusals, boot files and the timeline's netboot part. Real firmware
 * runs the same scripts in menu.test.ts.
 */

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueToken } from '@lanctl/auth';
import {
  createLogger,
  createMetricsRegistry,
  type Listening,
  listRoutes,
  validateConfig,
} from '@lanctl/core';
import { type TempDir, tempDir } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MdbHarness, startMdb } from '../../services/mdb/src/testing/harness.ts';
import {
  create,
  type NetbootService,
  netbootConfigSchema,
  PUBLIC_ROUTES,
} from '../../services/netboot/src/index.ts';

const KNOWN = { hostname: 'pas-r01p01', mac: '52:54:00:10:00:01', mtype: 'user', room: 'pasteur' };
const FAULTY = { hostname: 'pas-r01p02', mac: '52:54:00:10:00:02', mtype: 'user', room: 'pasteur' };
const RFS = { hostname: 'rfs0', mac: '52:54:00:10:00:0f', mtype: 'service', room: 'other' };
const ALIEN_MAC = '52:54:00:10:00:a1';
const ALIEN_IP = '192.168.250.17';

let dir: TempDir;
let mdb: MdbHarness;
let service: NetbootService;
let http: Listening;
let kernel: Buffer;

async function get(path: string, ip = '127.0.0.1') {
  const res = await fetch(`${http.url}${path}`, { headers: { 'x-real-ip': ip } });
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    outcome: res.headers.get('x-lanctl-outcome'),
    text: await res.text(),
  };
}

async function machineCount(): Promise<number> {
  return (await mdb.call('GET', '/api/v1/machines?limit=5000')).body.items.length;
}

const openRegistration = (value: boolean) =>
  mdb.call(
    'PUT',
    '/api/v1/settings/allow_self_registration',
    value ? { value, duration_seconds: 3600 } : { value },
  );

beforeAll(async () => {
  dir = await tempDir('lanctl-netboot-svc-');
  mdb = await startMdb('sqlite');
  for (const m of [KNOWN, FAULTY, RFS]) {
    const reply = await mdb.call('POST', '/api/v1/machines', m);
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  }
  await mdb.call('PATCH', `/api/v1/machines/${FAULTY.hostname}`, {
    is_faulty: true,
    is_faulty_details: 'broken PSU $(reboot) || shell',
  });
  const sw = await mdb.call('POST', '/api/v1/switches', {
    name: 'sw-pas-1',
    chassis: '00:11:22:33:44:55',
    room: 'pasteur',
    rfs: 0,
    hfs: 1,
  });
  expect(sw.status, JSON.stringify(sw.body)).toBe(201);
  const boot = join(dir.path, 'boot');
  mkdirSync(boot);
  kernel = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
  writeFileSync(join(boot, 'vmlinuz-linux'), kernel);
  writeFileSync(join(boot, 'initramfs-linux.img'), Buffer.alloc(4096, 1));
  const config = validateConfig('netboot', netbootConfigSchema, {
    listen: { host: '127.0.0.1', port: 0 },
    upstream: mdb.url, // mdb serves its streams on its API port too
    mdb_url: mdb.url,
    state_dir: join(dir.path, 'state'),
    rfs: { '0': { boot_dir: boot } },
    delays: { lldp_wait_seconds: 2 },
    timeline: { dhcp_url: null, tftp_url: null },
  });
  service = create(config, {
    logger: createLogger('netboot', { silent: true }),
    metrics: createMetricsRegistry(),
    token: issueToken(mdb.keys.privateKey, {
      subject: 'netboot',
      role: 'reader',
      scopes: ['read', 'machines:register'],
    }),
    publicKey: mdb.keys.publicKey,
    // The tests flip self-registration between requests.
    menuCacheMs: 0,
  });
  http = await service.start();
  // The tables arrive over mdb's streams.
  for (let i = 0; i < 100 && !(await get(`/boot/${KNOWN.mac}/`)).text.includes('kernel'); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await mdb?.close();
  await dir?.cleanup();
});

describe('netboot scripts', () => {
  it('/bootstrap: an iPXE script with the switch table and the alien branch', async () => {
    const r = await get('/bootstrap');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/plain/);
    expect(r.text.startsWith('#!ipxe\n')).toBe(true);
    expect(r.text).toContain('set sw_name_0 00:11:22:33:44:55');
    expect(r.text).toContain('set sw_room_0 pasteur');
    expect(r.text).toContain('set sw_hfs_0 1');
    expect(r.text).toContain('iseq ${scriptlet} alien && goto lanctl_alien ||');
  });

  it('/boot/<mac>/: a known machine boots its profile from its RFS (SADM command line)', async () => {
    const ip = (await mdb.call('GET', `/api/v1/machines/${RFS.hostname}`)).body.ip;
    for (const mac of [KNOWN.mac, KNOWN.mac.toUpperCase(), encodeURIComponent(KNOWN.mac)]) {
      const r = await get(`/boot/${mac}/`);
      expect(r.outcome).toBe('boot');
      expect(r.text).toMatch(
        new RegExp(
          `kernel --timeout 600000 http://netboot/files/rfs0/vmlinuz-linux initrd=initramfs-linux.img nfsroot=${ip}:/export/nfsroot,ro root=/dev/nfs ip=\\$\\{ip\\}:`,
        ),
      );
      expect(r.text).toContain(
        'initrd --timeout 600000 http://netboot/files/rfs0/initramfs-linux.img',
      );
      expect(r.text).toContain('boot || goto lanctl_boot_failed');
    }
  });

  it('a faulty machine shows its reason (made harmless) and asks again later', async () => {
    const r = await get(`/boot/${FAULTY.mac}/`);
    expect(r.outcome).toBe('faulty');
    expect(r.text).toContain('broken PSU ?(reboot) ?? shell');
    expect(r.text).not.toMatch(/\$\(reboot\)|\|\| shell$/m);
    expect(r.text).toContain(
      `chain --replace --autofree --timeout 30000 http://netboot/boot/${FAULTY.mac}/`,
    );
  });

  it('an unknown MAC goes to the registration menu; a bad MAC gets a readable message', async () => {
    const r = await get(`/boot/${ALIEN_MAC}/`);
    expect(r.outcome).toBe('unknown');
    expect(r.text).toContain(`/register/menu?mac=${encodeURIComponent(ALIEN_MAC)}`);
    const bad = await get('/boot/not-a-mac/');
    expect(bad.outcome).toBe('invalid');
    expect(bad.text).toContain('echo Bad MAC address in the request: not-a-mac.');
  });
});

describe('registration', () => {
  it('closed: the menu says so, /register refuses, nothing is written', async () => {
    await openRegistration(false);
    const before = await machineCount();
    const menu = await get(`/register/menu?mac=${ALIEN_MAC}`, ALIEN_IP);
    expect(menu.outcome).toBe('closed');
    expect(menu.text).toContain('Self-registration is closed');
    const r = await get(
      `/register?hostname=pas-r02p01&mac=${ALIEN_MAC}&rfs=0&hfs=1&room=pasteur&mtype=user`,
      ALIEN_IP,
    );
    expect(r.outcome).toBe('closed');
    expect(r.text).toContain('echo Registration failed: self-registration is closed.');
    expect(await machineCount()).toBe(before);
  });

  it('bad input gets a plain message and changes nothing', async () => {
    await openRegistration(true);
    const before = await machineCount();
    const cases: [string, RegExp][] = [
      [`hostname=pas-r02p01&mac=zz&rfs=0&hfs=1&room=pasteur&mtype=user`, /mac: /],
      [`hostname=x%7C%7Creboot&mac=${ALIEN_MAC}&rfs=0&hfs=1&room=pasteur&mtype=user`, /hostname: /],
      [`hostname=pas%20r02&mac=${ALIEN_MAC}&rfs=0&hfs=1&room=pasteur&mtype=user`, /hostname: /],
      [
        `hostname=pas-r02p01&mac=${ALIEN_MAC}&rfs=0&hfs=1&room=mars&mtype=user`,
        /there is no room named mars/,
      ],
      [`hostname=pas-r02p01&mac=${ALIEN_MAC}&rfs=abc&hfs=1&room=pasteur&mtype=user`, /rfs: /],
      [
        `hostname=${KNOWN.hostname}&mac=${ALIEN_MAC}&rfs=0&hfs=1&room=pasteur&mtype=user`,
        /already taken/,
      ],
      [
        `hostname=pas-r02p01&mac=${KNOWN.mac}&rfs=0&hfs=1&room=pasteur&mtype=user`,
        /already registered/,
      ],
      [
        `hostname=pas-r02p01&mac=${ALIEN_MAC}&rfs=0&hfs=1&room=pasteur&mtype=user&x=1`,
        /x: unknown parameter/,
      ],
      [
        `hostname=rfs3&mac=${ALIEN_MAC}&rfs=0&hfs=1&room=pasteur&mtype=user`,
        /the hostname rfs3 is reserved for the servers/,
      ],
      [
        `hostname=pas-r02p01&mac=${ALIEN_MAC}&rfs=0&hfs=1&room=pasteur&mtype=service`,
        /a machine of type service cannot register itself/,
      ],
    ];
    for (const [q, message] of cases) {
      const r = await get(`/register?${q}`, ALIEN_IP);
      expect(r.status, q).toBe(200);
      expect(r.text, q).toMatch(/^#!ipxe\necho Registration failed: /);
      expect(r.text, q).toMatch(message);
      // Back to the menu (or, without a usable MAC, to the first script).
      expect(r.text, q).toMatch(
        /chain --replace --autofree --timeout 30000 http:\/\/netboot\/(register\/menu\?mac=|bootstrap)/,
      );
    }
    // Not from the alien range: refused whatever the rest.
    const outside = await get(
      `/register?hostname=pas-r02p01&mac=${ALIEN_MAC}&rfs=0&hfs=1&room=pasteur&mtype=user`,
      '192.168.0.50',
    );
    expect(outside.outcome).toBe('refused');
    expect(await machineCount()).toBe(before);
  });

  it('limits registration attempts per address to a few a minute', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 7; i++) {
      const q = `hostname=${KNOWN.hostname}&mac=52:54:00:10:00:c${i}&rfs=0&hfs=1&room=pasteur&mtype=user`;
      outcomes.push((await get(`/register?${q}`, '192.168.250.99')).outcome ?? '');
    }
    expect(outcomes).toEqual([...Array(6).fill('duplicate'), 'limited']);
    const other = await get(
      `/register?hostname=${KNOWN.hostname}&mac=52:54:00:10:00:d0&rfs=0&hfs=1&room=pasteur&mtype=user`,
      '192.168.250.98',
    );
    expect(other.outcome).toBe('duplicate');
  });

  it("the menu offers the room's next planned machine; registering consumes it", async () => {
    const plan = await mdb.call('PUT', '/api/v1/rooms/pasteur/expected', {
      hostnames: ['pas-r09p01', 'pas-r09p02'],
    });
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    const menu = await get(`/register/menu?mac=${ALIEN_MAC}`, ALIEN_IP);
    expect(menu.outcome).toBe('menu');
    expect(menu.text).toContain(
      'item --key 1 planned_0 1. Next planned machine of room pasteur: pas-r09p01',
    );
    expect(menu.text).toMatch(/choose --default planned_0 --timeout \d+ lanctl_choice/);
    const form = await get(`/register/form?mac=${ALIEN_MAC}&via=planned&room=pasteur`, ALIEN_IP);
    expect(form.text).toContain('set lanctl_hostname pas-r09p01');
    expect(form.text).toContain('${lanctl_hostname:uristring}');
    const r = await get(
      `/register?hostname=pas-r09p01&mac=${ALIEN_MAC}&rfs=0&hfs=1&room=pasteur&mtype=user&via=planned`,
      ALIEN_IP,
    );
    expect(r.outcome).toBe('registered');
    expect(r.text).toMatch(
      /Registration done: this machine is now pas-r09p01 \(192\.168\.0\.\d+\)\./,
    );
    const left = await mdb.call('GET', '/api/v1/rooms/pasteur/expected');
    expect(left.body.hostnames).toEqual(['pas-r09p02']);
    const machine = await mdb.call('GET', '/api/v1/machines/pas-r09p01');
    expect(machine.body.mac).toBe(ALIEN_MAC);
  });
});

describe('boot files and the timeline', () => {
  it('serves an RFS boot directory with ranges, and redirects other RFSs to their own server', async () => {
    const whole = Buffer.from(
      await (await fetch(`${http.url}/files/rfs0/vmlinuz-linux`)).arrayBuffer(),
    );
    expect(createHash('sha256').update(whole).digest('hex')).toBe(
      createHash('sha256').update(kernel).digest('hex'),
    );
    const part = await fetch(`${http.url}/files/rfs0/vmlinuz-linux`, {
      headers: { range: 'bytes=10-19' },
    });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(kernel.subarray(10, 20));
    const other = await fetch(`${http.url}/files/rfs3/vmlinuz-linux`, { redirect: 'manual' });
    expect(other.status).toBe(302);
    expect(other.headers.get('location')).toBe('http://rfs3/boot/vmlinuz-linux');
    for (const bad of ['%2e%2e/etc/passwd', 'a/%2e%2e/%2e%2e/x', 'a%2fb']) {
      const refused = await fetch(`${http.url}/files/rfs3/${bad}`, { redirect: 'manual' });
      expect([400, 404], bad).toContain(refused.status);
    }
  });

  it("records each request in the machine's timeline", async () => {
    await get(`/boot/${KNOWN.mac}/`, '192.168.0.11');
    // A boot file through the same proxy: the same address rule (X-Real-IP from a trusted peer).
    await get('/files/rfs0/initramfs-linux.img', '192.168.0.11');
    const r = await mdb.call('GET', '/api/v1/machines/x', undefined, 'reader');
    expect(r.status).toBe(404);
    const res = await fetch(`${http.url}/api/v1/machines/${KNOWN.hostname}/boot`, {
      headers: { authorization: `Bearer ${mdb.token('reader')}` },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { boot: { events: { source: string; summary: string }[] } };
    expect(body.boot.events.some((e) => e.source === 'netboot')).toBe(true);
    expect(body.boot.events.some((e) => e.source === 'files')).toBe(true);
    const anonymous = await fetch(`${http.url}/api/v1/machines/${KNOWN.hostname}/boot`);
    expect(anonymous.status).toBe(401);
  });

  it("an unregistered MAC's timeline: where an alien got before it has a name", async () => {
    const alien = '52:54:00:10:00:b7';
    await get(`/register/menu?mac=${alien}`, '192.168.250.42');
    const res = await fetch(`${http.url}/api/v1/boot/macs/${alien}`, {
      headers: { authorization: `Bearer ${mdb.token('reader')}` },
    });
    const body = (await res.json()) as {
      hostname: string | null;
      boot: { stage: string; events: { ip: string }[] };
    };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.hostname).toBeNull();
    expect(body.boot.stage).toBe('registration');
    expect(body.boot.events.map((e) => e.ip)).toContain('192.168.250.42');
    const bad = await fetch(`${http.url}/api/v1/boot/macs/zz`, {
      headers: { authorization: `Bearer ${mdb.token('reader')}` },
    });
    expect(bad.status).toBe(400);
  });

  it('needs a token with the read scope everywhere but the routes iPXE and monitoring use', async () => {
    const routes = listRoutes(service.app).map((r) => `${r.method} ${r.path}`);
    for (const route of PUBLIC_ROUTES) expect(routes, route).toContain(route);
    const guarded = routes.filter((r) => !PUBLIC_ROUTES.includes(r));
    expect(guarded.length).toBeGreaterThan(0);
    for (const route of guarded) {
      const path = route
        .split(' ')[1]!
        .replace(':hostname', KNOWN.hostname)
        .replace(':mac', KNOWN.mac);
      expect((await fetch(`${http.url}${path}`)).status, `${route} without a token`).toBe(401);
      const user = await fetch(`${http.url}${path}`, {
        headers: { authorization: `Bearer ${mdb.keys.userToken('kid', 'user')}` },
      });
      expect(user.status, `${route} as a contestant`).toBe(403);
    }
  });
});
