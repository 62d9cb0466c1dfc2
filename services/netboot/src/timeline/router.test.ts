/**
 * The timeline API over real HTTP: a real tftp daemon (`lanctl serve tftp`, a child) with a real
 * curl transfer, a small HTTP fixture standing for dhcp's boot-events API, the event log in memory.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DhcpBootEvent, NetbootEvent } from '@lanctl/boot';
import {
  createHttpApp,
  createLogger,
  createMetricsRegistry,
  type Listening,
  listen,
} from '@lanctl/core';
import type { Machine } from '@lanctl/model';
import { createTestKeys, type TempDir, type TestKeys, tempDir } from '@lanctl/testkit';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventLog, openEventLog } from './event-log.ts';
import { type TimelineDeps, timelineRouter } from './router.ts';

const LANCTL = resolve(import.meta.dirname, '../../../../cli/bin/lanctl');
const MAC = '52:54:00:aa:00:01';
const ALIEN = '127.0.0.1'; // the address DHCP gave before registration: tftp sees curl from it

const machine = (hostname: string, mac: string, ip: string, room: string): Machine => ({
  hostname,
  aliases: [],
  ip,
  mac,
  rfs: 0,
  hfs: 0,
  mtype: 'user',
  room,
  is_faulty: false,
  is_faulty_details: '',
  uuid: null,
  created_at: '2026-11-22T00:00:00.000Z',
  updated_at: '2026-11-22T00:00:00.000Z',
});
const MACHINES = [
  machine('r01p01', MAC, '192.168.0.11', 'pasteur'),
  machine('r01p02', '52:54:00:aa:00:02', '192.168.0.12', 'pasteur'),
  machine('r02p01', '52:54:00:aa:00:03', '192.168.0.21', 'turing'),
];

let dir: TempDir;
let keys: TestKeys;
let tftp: { child: ChildProcess; http: string; port: number };
let dhcpFixture: Listening;
let dhcpEvents: DhcpBootEvent[] = [];
let dhcpToken = '';
const servers: Listening[] = [];
const logs: EventLog[] = [];

function startTftp(): Promise<typeof tftp> {
  const file = join(dir.path, 'tftp.yml');
  const config = {
    listen: { host: '127.0.0.1', port: 0 },
    http: { listen: { host: '127.0.0.1', port: 0 } },
    auth: { public_key_file: keys.files.publicKeyFile },
  };
  writeFileSync(file, JSON.stringify(config));
  const child = spawn('timeout', ['-k', '5', '60', LANCTL, 'serve', 'tftp', '--config', file], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolveStart, reject) => {
    let buffered = '';
    child.once('exit', (code) => reject(new Error(`lanctl serve tftp exited ${code}`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      for (const line of buffered.split('\n').slice(0, -1)) {
        const entry = JSON.parse(line) as Record<string, unknown>;
        if (entry.message === 'listening')
          resolveStart({ child, http: entry.http as string, port: entry.tftp_port as number });
      }
      buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
    });
  });
}

/** dhcp's `GET /api/v1/boot-events` as dhcp answers it (newest first), token checked. */
async function startDhcpFixture(): Promise<Listening> {
  const app = express();
  app.get('/api/v1/boot-events', (req, res) => {
    if (req.headers.authorization !== `Bearer ${dhcpToken}`) {
      res.status(401).json({ error: { code: 'unauthorized', message: 'bad token' } });
      return;
    }
    const events = dhcpEvents.filter((e) => e.mac === req.query.mac).reverse();
    res.json({ mac: req.query.mac, events: events.map((e) => ({ ...e, source: 'dhcp' })) });
  });
  app.get('/api/v1/slow', () => {}); // never answers
  return listen(app, '127.0.0.1', 0);
}

async function startTimeline(log: EventLog, over: Partial<TimelineDeps> = {}): Promise<string> {
  const deps: TimelineDeps = {
    publicKey: keys.publicKey,
    log,
    machineByHostname: (h) => MACHINES.find((m) => m.hostname === h),
    machines: () => MACHINES,
    dhcp: { url: dhcpFixture.url, token: dhcpToken },
    tftp: { url: tftp.http, token: keys.token('reader') },
    now: Date.now,
    ...over,
  };
  const logger = createLogger('netboot', { silent: true });
  const app = createHttpApp({
    service: 'netboot',
    logger,
    metrics: createMetricsRegistry(),
    health: () => ({ ok: true }),
    mount: (a) => a.use('/api/v1', timelineRouter(deps)),
  });
  const server = await listen(app, '127.0.0.1', 0);
  servers.push(server);
  return server.url;
}

const curlTftp = (name: string) =>
  new Promise<void>((done, fail) =>
    execFile(
      'curl',
      ['-sS', '-o', '/dev/null', `tftp://${ALIEN}:${tftp.port}/${name}`],
      { timeout: 20_000 },
      (err) => (err ? fail(err) : done()),
    ),
  );

const get = async (url: string, token: string | null = keys.token('reader')) => {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: (await res.json()) as any };
};

function dhcpExchange(at: number, kind: string, file: string, xid: number): DhcpBootEvent[] {
  const base = { mac: MAC, xid, kind, relay: null };
  const iso = (ms: number) => new Date(ms).toISOString();
  return [
    { ...base, at: iso(at), type: 'DISCOVER', address: null, detail: null },
    { ...base, at: iso(at), type: 'OFFER', address: ALIEN, detail: file },
    { ...base, at: iso(at + 2), type: 'REQUEST', address: ALIEN, detail: null },
    { ...base, at: iso(at + 2), type: 'ACK', address: ALIEN, detail: file },
  ];
}

let url: string;
let log: EventLog;

beforeAll(async () => {
  dir = await tempDir('lanctl-timeline-');
  keys = createTestKeys(dir.path);
  dhcpToken = keys.token('reader');
  [tftp, dhcpFixture] = await Promise.all([startTftp(), startDhcpFixture()]);
  log = openEventLog({ path: null, maxEvents: 10_000 });
  logs.push(log);
  url = await startTimeline(log);
  // A BIOS boot: firmware DHCP, TFTP of undionly.kpxe (for real), iPXE DHCP, then HTTP.
  const start = Date.now() - 1000;
  dhcpEvents = dhcpExchange(start, 'bios', 'undionly.kpxe', 1);
  await curlTftp('undionly.kpxe');
  const t = Date.now() + 50; // after the transfer's record
  dhcpEvents.push(...dhcpExchange(t, 'ipxe', 'http://10.0.0.1/bootstrap', 2));
  const net = (at: number, e: Partial<NetbootEvent>): NetbootEvent => ({
    at: t + at,
    ip: ALIEN,
    mac: null,
    kind: 'bootstrap',
    path: '/bootstrap',
    status: 200,
    outcome: 'served',
    detail: null,
    ...e,
  });
  log.record(net(10, {}));
  log.record(
    net(20, {
      kind: 'script',
      path: `/boot/${MAC}/`,
      mac: MAC,
      outcome: 'boot',
      profile: 'contestant',
    }),
  );
  log.record(
    net(30, {
      kind: 'file',
      path: '/rfs/vmlinuz',
      outcome: 'done',
      file_role: 'kernel',
      bytes: 8 << 20,
      size: 8 << 20,
      duration_ms: 300,
    }),
  );
  log.record(
    net(40, {
      kind: 'file',
      path: '/rfs/initrd.img',
      outcome: 'done',
      file_role: 'initrd',
      bytes: 30 << 20,
      size: 30 << 20,
      duration_ms: 900,
    }),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await dhcpFixture?.close();
  for (const l of logs) l.close();
  if (tftp && tftp.child.exitCode === null) {
    const exited = new Promise((r) => tftp.child.once('exit', r));
    tftp.child.kill('SIGTERM');
    await exited;
  }
  await dir?.cleanup();
});

describe('GET /api/v1/machines/:hostname/boot', () => {
  it('joins dhcp (by MAC), tftp and netboot (by the addresses DHCP gave) into the last boot', async () => {
    const { status, body } = await get(`${url}/api/v1/machines/r01p01/boot`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      hostname: 'r01p01',
      mac: MAC,
      ip: '192.168.0.11',
      sources: { dhcp: 'ok', tftp: 'ok', netboot: 'ok' },
      boot: {
        stage: 'loaded',
        ok: true,
        verdict: 'kernel and initrd loaded: handed over to Linux',
      },
    });
    const events = body.boot.events as { source: string; stage: string; summary: string }[];
    expect(events.map((e) => e.source)).toEqual([
      ...Array(4).fill('dhcp'),
      'tftp',
      ...Array(4).fill('dhcp'),
      'netboot',
      'netboot',
      'files',
      'files',
    ]);
    expect(events[4]!.summary).toMatch(/^TFTP undionly\.kpxe \d+ KiB in \d+ ms$/);
    expect(events[10]!.summary).toBe('boot script: profile contestant');
  });

  it('answers 404 for an unknown machine, 401 without a token, 400 naming a bad since', async () => {
    expect((await get(`${url}/api/v1/machines/nope/boot`)).status).toBe(404);
    expect((await get(`${url}/api/v1/machines/r01p01/boot`, null)).status).toBe(401);
    const bad = await get(`${url}/api/v1/machines/r01p01/boot?since=yesterday`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].field).toBe('since');
    const future = await get(`${url}/api/v1/machines/r01p01/boot?since=2999-01-01T00:00:00Z`);
    expect(future.body.boot).toMatchObject({ stage: null, verdict: 'no boot recorded' });
  });

  it('still answers when dhcp is down, slow or not configured, saying so', async () => {
    const closed = await listen(express(), '127.0.0.1', 0);
    await closed.close();
    const down = await startTimeline(log, {
      dhcp: { url: closed.url, token: 'x' },
      tftp: null,
    });
    const { status, body } = await get(`${down}/api/v1/machines/r01p01/boot`);
    expect(status).toBe(200);
    expect(body.sources).toEqual({
      dhcp: 'unavailable: ECONNREFUSED',
      tftp: 'not configured',
      netboot: 'ok',
    });
    expect(body.boot.stage).toBe('loaded'); // the netboot log alone: the script carried the MAC
    const slow = await startTimeline(log, {
      dhcp: { url: `${dhcpFixture.url}/api/v1/slow#`, token: dhcpToken },
      sourceTimeoutMs: 200,
    });
    expect((await get(`${slow}/api/v1/machines/r01p01/boot`)).body.sources.dhcp).toBe(
      'unavailable: no answer within 200 ms',
    );
    const refused = await startTimeline(log, { dhcp: { url: dhcpFixture.url, token: 'wrong' } });
    expect((await get(`${refused}/api/v1/machines/r01p01/boot`)).body.sources.dhcp).toBe(
      'unavailable: HTTP 401: bad token',
    );
  });
  it('leaves out malformed items of a source and says so', async () => {
    const garbage = { mac: '52:54:00:aa:00:03', at: 'never', type: 5 } as unknown as DhcpBootEvent;
    dhcpEvents.push(garbage);
    try {
      const { body } = await get(`${url}/api/v1/machines/r02p01/boot`);
      expect(body.sources.dhcp).toBe('partial: 1 malformed item(s) in "events" left out');
      expect(body.boot.verdict).toBe('no boot recorded');
    } finally {
      dhcpEvents.splice(dhcpEvents.indexOf(garbage), 1);
    }
  });
});

describe('GET /api/v1/boot/status', () => {
  it('lists every machine of a room with its stage and verdict', async () => {
    const { status, body } = await get(`${url}/api/v1/boot/status?room=pasteur`);
    expect(status).toBe(200);
    expect(body).toEqual({
      room: 'pasteur',
      sources: { dhcp: 'ok', tftp: 'ok', netboot: 'ok' },
      machines: [
        {
          hostname: 'r01p01',
          mac: MAC,
          ip: '192.168.0.11',
          stage: 'loaded',
          ok: true,
          last_at: expect.any(String),
          verdict: 'kernel and initrd loaded: handed over to Linux',
        },
        {
          hostname: 'r01p02',
          mac: '52:54:00:aa:00:02',
          ip: '192.168.0.12',
          stage: null,
          ok: false,
          last_at: null,
          verdict: 'no boot recorded',
        },
      ],
    });
    const all = await get(`${url}/api/v1/boot/status`);
    expect(all.body.machines.map((m: { hostname: string }) => m.hostname)).toEqual([
      'r01p01',
      'r01p02',
      'r02p01',
    ]);
    expect(all.body.room).toBeNull();
    expect((await get(`${url}/api/v1/boot/status`, null)).status).toBe(401);
  });

  it('asks a hung source once, not once per machine', async () => {
    let asked = 0;
    const hung = express();
    hung.use((_req, _res) => {
      asked++; // accepts and never answers
    });
    const server = await listen(hung, '127.0.0.1', 0);
    try {
      const slow = await startTimeline(log, {
        dhcp: { url: server.url, token: 'x' },
        tftp: null,
        sourceTimeoutMs: 200,
      });
      const { body } = await get(`${slow}/api/v1/boot/status`);
      expect(body.machines).toHaveLength(3);
      expect(body.sources.dhcp).toBe('unavailable: no answer within 200 ms');
      expect(asked).toBe(1);
    } finally {
      await server.close();
    }
  });
});

describe('timelineRouter', () => {
  it('fails at construction naming the missing dependency', () => {
    const base = {
      publicKey: keys.publicKey,
      log,
      machineByHostname: () => undefined,
      machines: () => [],
      dhcp: null,
      tftp: null,
      now: Date.now,
    };
    expect(() => timelineRouter({ ...base, log: undefined as never })).toThrow(
      /deps.log is required/,
    );
    expect(() => timelineRouter({ ...base, dhcp: { url: 'dhcp', token: 't' } })).toThrow(
      /deps.dhcp/,
    );
  });
});
