import { createServer as createTcpServer, type Socket } from 'node:net';
import { waitFor } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/bench/lib/sso-nginx.ts';
import { FORGED, KIOSK, NOBODY, SEAT1, SEAT2, type SsoLan, startSsoLan } from './setup.ts';

/** The shipped nginx/sso snippets (no cache) in a real nginx: see ./setup.ts. */
let lan: SsoLan;
const through: SsoLan['through'] = (...a) => lan.through(...a);
const presenceCall: SsoLan['presenceCall'] = (...a) => lan.presenceCall(...a);

beforeAll(async () => {
  lan = await startSsoLan();
}, 60_000);

afterAll(async () => {
  await lan?.close();
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
    const url = `http://127.0.0.1:${lan.ssoPort}`;
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
    await waitFor(() => lan.sso()?.lookup(SEAT1) === undefined, 'logout in the sso index');
    expect((await through(SEAT1, FORGED)).backend['x-sso-user']).toBeUndefined();
    expect((await presenceCall('login', { login: 'bob', hostname: 'seat2' })).status).toBe(200);
    await waitFor(() => lan.sso()?.lookup(SEAT2)?.login === 'bob', 'bob in the sso index');
    expect((await through(SEAT2)).backend['x-sso-user']).toBe('bob');
  });

  it('follows a machine whose address changed in mdb (without a presence event)', async () => {
    const r = await lan.mdb.call('PATCH', '/api/v1/machines/seat2', { ip: '127.0.0.6' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    await waitFor(() => lan.sso()?.lookup('127.0.0.6')?.login === 'bob', 'the new address');
    expect((await through('127.0.0.6')).backend['x-sso-user']).toBe('bob');
    expect((await through(SEAT2)).backend['x-sso-user']).toBeUndefined();
  });

  it('lets the page load anonymously while the sso service is down', async () => {
    await lan.stopSso();
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
    const sso = await lan.startSso(dead);
    expect(sso.health()).toMatchObject({ ok: false, degraded: true });
    expect((await through('127.0.0.6', FORGED)).backend['x-sso-user']).toBe('bob');
    expect((await through(KIOSK)).backend['x-sso-user']).toBe('kiosk_user');
    expect(lan.nginx.errorLog()).not.toMatch(/\[(emerg|alert|crit)\]/);
  });

  it('lets the page load when the sso service hangs (proxy timeout)', async () => {
    await lan.stopSso();
    const sockets: Socket[] = [];
    const mute = createTcpServer((socket) => sockets.push(socket));
    await new Promise<void>((ok) => mute.listen(lan.ssoPort, '127.0.0.1', ok));
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
