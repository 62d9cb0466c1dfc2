import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { issueToken } from '@lanctl/auth';
import { createLogger, createMetricsRegistry, validateConfig } from '@lanctl/core';
import { type TempDir, tempDir, waitFor } from '@lanctl/testkit';
import { expect } from 'vitest';
import {
  freePort,
  type RunningNginx,
  renderSsoCache,
  renderSsoCacheZone,
  renderSsoUpstream,
  SSO_SNIPPETS,
  startNginx,
} from '../../scripts/bench/lib/sso-nginx.ts';
import { type MdbHarness, startMdb } from '../../services/mdb/src/testing/harness.ts';
import { startPresence as startPresenceHarness } from '../../services/presence/src/testing/harness.ts';
import { create, type SsoService, ssoConfigSchema } from '../../services/sso/src/index.ts';
import { startUdb, type UdbHarness } from '../../services/udb/src/testing/harness.ts';

/**
 * The shipped nginx/sso snippets in a real nginx, in front of a backend that echoes the headers
 * it received, with the sso service following a real mdb, udb and presence. Every client
 * connects to nginx on 127.0.0.1 from a chosen source address of 127.0.0.0/8 (all of it is
 * loopback on Linux): machines in mdb get those addresses. alice is logged in on seat1.
 */
export const SEAT1 = '127.0.0.2';
export const SEAT2 = '127.0.0.3';
export const KIOSK = '127.0.0.4';
export const NOBODY = '127.0.0.5';
export const FORGED = {
  'X-SSO-User': 'root',
  'X-SSO-Status': 'working: forged',
  'X-Real-IP': SEAT1,
};

export interface Seen {
  status: number;
  /** Response headers nginx sent the client. */
  response: Record<string, string | string[] | undefined>;
  /** Request headers the backend received (lower-cased), its method, and its request count. */
  backend: Record<string, string>;
}

export interface SsoLan {
  mdb: MdbHarness;
  udb: UdbHarness;
  ssoPort: number;
  nginx: RunningNginx;
  /** nginx's cache directory (with `cache`). */
  cacheDir: string;
  /** The running sso service, if any. */
  sso(): SsoService | undefined;
  /** Starts the sso service (upstreams: one dead URL for all three, else the real ones). */
  startSso(upstreams?: string): Promise<SsoService>;
  stopSso(): Promise<void>;
  /** One request through nginx from `from`, on a fresh connection. */
  through(from: string, headers?: Record<string, string>, method?: string): Promise<Seen>;
  presenceCall(path: string, body: unknown): Promise<Response>;
  close(): Promise<void>;
}

const T = 30_000;

/** Everything above; `cache`: the server also includes nginx/sso/cache.conf. */
export async function startSsoLan(options: { cache?: boolean } = {}): Promise<SsoLan> {
  const closers: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
  };
  try {
    return await build(options, closers, close);
  } catch (e) {
    await close();
    throw e;
  }
}

async function build(
  options: { cache?: boolean },
  closers: (() => Promise<unknown>)[],
  close: () => Promise<void>,
): Promise<SsoLan> {
  const [mdb, udb] = await Promise.all([startMdb('sqlite'), startUdb('sqlite')]);
  closers.push(() => Promise.all([mdb.close(), udb.close()]));
  const dir: TempDir = await tempDir('lanctl-sso-');
  closers.unshift(() => dir.cleanup());
  await seed(mdb, udb);
  const presence = await startPresence(mdb, udb, dir, closers);
  const first = await presence.call('login', { login: 'alice', hostname: 'seat1' });
  expect(first.status, await first.clone().text()).toBe(200);
  const backend = await echoBackend();
  closers.push(() => new Promise((ok) => backend.close(ok)));
  const backendPort = (backend.address() as { port: number }).port;
  const ssoPort = await freePort();
  const sso = ssoStarter(mdb, udb, dir, ssoPort, presence.url);
  closers.push(sso.stop);
  await sso.start();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const cacheDir = join(dir.path, 'sso-cache');
  const nginx = await startNginx({
    dir: join(dir.path, 'nginx'),
    readyUrl: `${base}/`,
    timeoutSeconds: 120,
    httpBody: `${renderSsoUpstream(`127.0.0.1:${ssoPort}`, 8)}
      ${options.cache ? renderSsoCacheZone(cacheDir) : ''}
      upstream backend { server 127.0.0.1:${backendPort}; }
      server {
        listen 127.0.0.1:${port};
        include ${SSO_SNIPPETS.handler};
        ${options.cache ? renderSsoCache() : ''}
        location / {
          include ${SSO_SNIPPETS.protect};
          auth_request_set $sso_cache $upstream_cache_status;
          add_header X-SSO-Cache $sso_cache always;
          proxy_pass http://backend;
        }
      }`,
  });
  closers.push(() => nginx.stop());
  await waitFor(() => sso.current()?.lookup(SEAT1)?.login === 'alice', 'alice in the sso index');
  return {
    mdb,
    udb,
    ssoPort,
    nginx,
    cacheDir,
    sso: sso.current,
    startSso: sso.start,
    stopSso: sso.stop,
    through: (from, headers = {}, method = 'GET') => through(base, from, headers, method),
    presenceCall: presence.call,
    close,
  };
}

/** presence on the real mdb and udb, its clock past the "too early" window of its start. */
async function startPresence(
  mdb: MdbHarness,
  udb: UdbHarness,
  dir: TempDir,
  closers: (() => Promise<unknown>)[],
) {
  const presence = await startPresenceHarness({
    mdb,
    udb,
    stateDir: join(dir.path, 'presence'),
    timeoutSeconds: T / 1000,
    pastTooEarly: true,
  });
  closers.push(presence.stop);
  const http = presence.http;
  const station = issueToken(mdb.keys.privateKey, {
    subject: 'workstation',
    role: 'reader',
    scopes: ['presence:write'],
  });
  const call = (path: string, body: unknown) =>
    fetch(`${http.url}/api/v1/presence/${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${station}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  return { url: http.url, call };
}

/** Starts and stops the sso service in-process (upstreams: one dead URL, else the real ones). */
function ssoStarter(
  mdb: MdbHarness,
  udb: UdbHarness,
  dir: TempDir,
  ssoPort: number,
  presenceUrl: string,
) {
  let sso: SsoService | undefined;
  const start = async (upstreams?: string) => {
    const service = create(
      validateConfig('test', ssoConfigSchema, {
        listen: { port: ssoPort },
        mdb_upstream: upstreams ?? mdb.service.syncUrl,
        udb_upstream: upstreams ?? udb.service.syncUrl,
        presence_upstream: upstreams ?? presenceUrl,
        state_dir: join(dir.path, 'sso'),
        overrides: { kiosk: 'kiosk_user' },
        usermap: { ping: { enabled: false } },
      }),
      {
        logger: createLogger('sso', { silent: true }),
        metrics: createMetricsRegistry(),
        token: (u) => (u === 'udb' ? udb.keys.token('reader') : mdb.token('reader')),
        backoff: { initialMs: 50, maxMs: 200 },
      },
    );
    await service.start();
    sso = service;
    await service.ready();
    return service;
  };
  const stop = async () => {
    const s = sso;
    sso = undefined;
    await s?.stop();
  };
  return { start, stop, current: () => sso };
}

async function seed(mdb: MdbHarness, udb: UdbHarness): Promise<void> {
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
}

/** Answers every request with the headers it received, its method and a request counter. */
async function echoBackend(): Promise<Server> {
  let n = 0;
  const backend = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ...req.headers, method: req.method, n: String(++n) }));
    });
  });
  await new Promise<void>((ok) => backend.listen(0, '127.0.0.1', ok));
  return backend;
}

const through = (base: string, from: string, headers: Record<string, string>, method: string) =>
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
