import { createServer, request, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { issueToken } from '@lanctl/auth';
import { createLogger, createMetricsRegistry, type Listening, validateConfig } from '@lanctl/core';
import { type TempDir, tempDir, waitFor } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  type RunningNginx,
  renderSsoUpstream,
  SSO_SNIPPETS,
  startNginx,
} from '../../scripts/bench/lib/sso-nginx.ts';
import { type MdbHarness, startMdb } from '../../services/mdb/src/testing/harness.ts';
import {
  create as createPresence,
  type PresenceService,
  presenceConfigSchema,
} from '../../services/presence/src/index.ts';
import { create, type SsoService, ssoConfigSchema } from '../../services/sso/src/index.ts';
import { startUdb, type UdbHarness } from '../../services/udb/src/testing/harness.ts';

/**
 * The shipped nginx/sso snippets in a real nginx, in front of a backend that echoes the headers
 * it received, with the sso service following a real mdb, udb and presence. Every client
 * connects to nginx on 127.0.0.1 from a chosen source address of 127.0.0.0/8 (all of it is
 * loopback on Linux): machines in mdb get those addresses.
 */
const T = 30_000;
let clock = Date.parse('2026-01-01T00:00:00Z');
let mdb: MdbHarness;
let udb: UdbHarness;
let presence: PresenceService;
let presenceHttp: Listening;
let sso: SsoService | undefined;
let ssoPort: number;
let backend: Server;
let nginx: RunningNginx;
let dir: TempDir;
let base: string;
let station: string;

const SEAT1 = '127.0.0.2';
const SEAT2 = '127.0.0.3';
const KIOSK = '127.0.0.4';
const NOBODY = '127.0.0.5';

function ssoConfig(upstreams?: string) {
  return validateConfig('test', ssoConfigSchema, {
    listen: { port: ssoPort },
    mdb_upstream: upstreams ?? mdb.service.syncUrl,
    udb_upstream: upstreams ?? udb.service.syncUrl,
    presence_upstream: upstreams ?? presenceHttp.url,
    state_dir: join(dir.path, 'sso'),
    overrides: { kiosk: 'kiosk_user' },
    usermap: { ping: { enabled: false } },
  });
}

async function startSso(upstreams?: string): Promise<SsoService> {
  const service = create(ssoConfig(upstreams), {
    logger: createLogger('sso', { silent: true }),
    metrics: createMetricsRegistry(),
    token: (u) => (u === 'udb' ? udb.keys.token('reader') : mdb.token('reader')),
    backoff: { initialMs: 50, maxMs: 200 },
  });
  await service.start();
  await service.ready();
  return service;
}

interface Seen {
  status: number;
  /** Response headers nginx sent the client. */
  response: Record<string, string | string[] | undefined>;
  /** Request headers the backend received (lower-cased), and its method. */
  backend: Record<string, string>;
}

/** One request through nginx from `from`, on a fresh connection. */
const through = (from: string, headers: Record<string, string> = {}, method = 'GET') =>
  new Promise<Seen>((ok, fail) => {
    const req = request(
      `${base}/page?x=1`,
      { method, headers, localAddress: from, agent: false, timeout: 5000 },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () =>
          ok({ status: res.statusCode ?? 0, response: res.headers, backend: JSON.parse(body) }),
        );
      },
    );
    req.on('error', fail);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(method === 'POST' ? '{"a":1}' : undefined);
  });

const FORGED = { 'X-SSO-User': 'root', 'X-SSO-Status': 'working: forged', 'X-Real-IP': SEAT1 };
const presenceCall = (path: string, body: unknown) =>
  fetch(`${presenceHttp.url}/api/v1/presence/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${station}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  [mdb, udb] = await Promise.all([startMdb('sqlite'), startUdb('sqlite')]);
  dir = await tempDir('lanctl-sso-');
  station = issueToken(mdb.keys.privateKey, {
    subject: 'workstation',
    role: 'reader',
    scopes: ['presence:write'],
  });
  const pool = await mdb.call('POST', '/api/v1/pools', { name: 'lo', network: '127.0.0.0/24' });
  expect(pool.status, JSON.stringify(pool.body)).toBe(201);
  for (const [hostname, ip, n] of [
    ['seat1', SEAT1, 1],
    ['seat2', SEAT2, 2],
    ['kiosk', KIOSK, 3],
  ] as const) {
    const mac = `aa:bb:cc:00:01:0${n}`;
    const r = await mdb.call('POST', '/api/v1/machines', { hostname, mac, ip, mtype: 'user' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
  for (const login of ['alice', 'bob']) {
    const user = { login, firstname: 'A', lastname: 'B', group: 'user' };
    const r = await udb.call('POST', '/api/v1/users', user, udb.keys.token('root'));
    expect(r.status).toBe(201);
  }
  presence = createPresence(
    validateConfig('test', presenceConfigSchema, {
      listen: { port: 0 },
      timeout_seconds: T / 1000,
      mdb_upstream: mdb.service.syncUrl,
      udb_upstream: udb.service.syncUrl,
      state_dir: join(dir.path, 'presence'),
      auth: { public_key_file: mdb.keys.files.publicKeyFile },
    }),
    {
      logger: createLogger('presence', { silent: true }),
      metrics: createMetricsRegistry(),
      token: (u) => (u === 'mdb' ? mdb.token('reader') : udb.keys.token('reader')),
      publicKey: mdb.keys.publicKey,
      now: () => clock,
    },
  );
  presenceHttp = await presence.start();
  await presence.ready();
  clock += T; // past presence's "too early" window
  const first = await presenceCall('login', { login: 'alice', hostname: 'seat1' });
  expect(first.status, await first.clone().text()).toBe(200);

  backend = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ...req.headers, method: req.method }));
    });
  });
  await new Promise<void>((ok) => backend.listen(0, '127.0.0.1', ok));
  const backendPort = (backend.address() as { port: number }).port;
  ssoPort = await freePort();
  sso = await startSso();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  nginx = await startNginx({
    dir: join(dir.path, 'nginx'),
    readyUrl: `${base}/`,
    timeoutSeconds: 120,
    httpBody: `${renderSsoUpstream(`127.0.0.1:${ssoPort}`, 8)}
      upstream backend { server 127.0.0.1:${backendPort}; }
      server {
        listen 127.0.0.1:${port};
        include ${SSO_SNIPPETS.handler};
        location / {
          include ${SSO_SNIPPETS.protect};
          proxy_pass http://backend;
        }
      }`,
  });
  await waitFor(() => sso?.lookup(SEAT1)?.login === 'alice', 'alice in the sso index');
}, 60_000);

afterAll(async () => {
  await nginx?.stop();
  await sso?.stop();
  await presence?.stop();
  await new Promise((ok) => (backend ? backend.close(ok) : ok(undefined)));
  await Promise.all([mdb?.close(), udb?.close()]);
  await dir?.cleanup();
});

describe('nginx/sso in front of a backend, with the sso service', () => {
  it('passes the login of the machine at the client address to the backend', async () => {
    const seen = await through(SEAT1);
    expect(seen.status).toBe(200);
    expect(seen.backend['x-sso-user']).toBe('alice');
    expect(seen.backend['x-sso-status']).toBe(`working: machine ${SEAT1} has login alice`);
    expect(seen.response['x-sso-user']).toBe('alice');
    expect(seen.response['x-sso-backend-status']).toBe('working');
  });

  it('replaces forged X-SSO-* headers with the real login, for GET and POST', async () => {
    for (const method of ['GET', 'POST']) {
      const seen = await through(SEAT1, FORGED, method);
      expect(seen.backend.method).toBe(method);
      expect(seen.backend['x-sso-user']).toBe('alice');
      expect(seen.backend['x-sso-status']).toBe(`working: machine ${SEAT1} has login alice`);
    }
  });

  it('sends no X-SSO-User for an address without a login, even a forged one', async () => {
    for (const from of [NOBODY, SEAT2]) {
      const seen = await through(from, { ...FORGED, X_SSO_User: 'root' });
      expect(seen.status).toBe(200);
      expect(seen.backend['x-sso-user']).toBeUndefined();
      expect(seen.backend.x_sso_user).toBeUndefined();
      expect(seen.backend['x-sso-status']).toBe(`unknown: machine ${from} has no login`);
      expect(seen.response['x-sso-user']).toBeUndefined();
      expect(seen.response['x-sso-backend-status']).toBe('working');
    }
  });

  it('reports its streams, index and answers, and feeds the room map', async () => {
    const url = `http://127.0.0.1:${ssoPort}`;
    const health = await (await fetch(`${url}/healthz`)).json();
    expect(health).toMatchObject({ ok: true, logged_in_addresses: 2 });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/lanctl_sso_answers_total\{status="known"\} [1-9]/);
    expect(metrics).toMatch(/lanctl_sso_answers_total\{status="unknown"\} [1-9]/);
    expect(metrics).toMatch(/lanctl_sso_upstream_connected\{table="presence"\} 1/);
    expect(metrics).toMatch(/lanctl_sso_index_entries 2/);
    const map = await (await fetch(`${url}/usermap/state.json`)).text();
    expect(JSON.parse(map).ready).toBe(true);
    expect(map).toContain('alice');
  });

  it('gives a kiosk its override login', async () => {
    const seen = await through(KIOSK, FORGED);
    expect(seen.backend['x-sso-user']).toBe('kiosk_user');
  });

  it('makes the next request anonymous after a logout, and follows a new login', async () => {
    expect((await presenceCall('logout', { login: 'alice', hostname: 'seat1' })).status).toBe(200);
    await waitFor(() => sso?.lookup(SEAT1) === undefined, 'logout in the sso index');
    expect((await through(SEAT1, FORGED)).backend['x-sso-user']).toBeUndefined();
    expect((await presenceCall('login', { login: 'bob', hostname: 'seat2' })).status).toBe(200);
    await waitFor(() => sso?.lookup(SEAT2)?.login === 'bob', 'bob in the sso index');
    expect((await through(SEAT2)).backend['x-sso-user']).toBe('bob');
  });

  it('follows a machine whose address changed in mdb (without a presence event)', async () => {
    const r = await mdb.call('PATCH', '/api/v1/machines/seat2', { ip: '127.0.0.6' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await waitFor(() => sso?.lookup('127.0.0.6')?.login === 'bob', 'the new address');
    expect((await through('127.0.0.6')).backend['x-sso-user']).toBe('bob');
    expect((await through(SEAT2)).backend['x-sso-user']).toBeUndefined();
  });

  it('lets the page load anonymously while the sso service is down', async () => {
    await sso?.stop();
    sso = undefined;
    for (const from of ['127.0.0.6', NOBODY]) {
      const seen = await through(from, FORGED);
      expect(seen.status).toBe(200);
      expect(seen.backend['x-sso-user']).toBeUndefined();
      expect(seen.backend['x-sso-status']).toBeUndefined();
      expect(seen.response['x-sso-backend-status']).toMatch(/^unavailable \(error 50\d\)$/);
    }
  });

  it('restarts with every upstream down and answers from the last state', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    sso = await startSso(dead);
    expect(sso.health()).toMatchObject({ ok: false, degraded: true });
    expect((await through('127.0.0.6', FORGED)).backend['x-sso-user']).toBe('bob');
    expect((await through(KIOSK)).backend['x-sso-user']).toBe('kiosk_user');
    expect(nginx.errorLog()).not.toMatch(/\[(emerg|alert|crit)\]/);
  });

  it('lets the page load when the sso service hangs (proxy timeout)', async () => {
    await sso?.stop();
    sso = undefined;
    const sockets: Socket[] = [];
    const mute = createTcpServer((socket) => sockets.push(socket));
    await new Promise<void>((ok) => mute.listen(ssoPort, '127.0.0.1', ok));
    try {
      const seen = await through(KIOSK, FORGED);
      expect(seen.status).toBe(200);
      expect(seen.backend['x-sso-user']).toBeUndefined();
      expect(seen.response['x-sso-backend-status']).toBe('unavailable (error 504)');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((ok) => mute.close(ok));
    }
  });
});
