import { request } from 'node:http';
import { type Listening, listen } from '@lanctl/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerHandler } from './answer.ts';
import { buildIpIndex } from './ip-index.ts';
import type { AnswerCounts } from './metrics.ts';

const counts: AnswerCounts = { known: 0, unknown: 0, bad: 0 };
const index = buildIpIndex(
  [
    { hostname: 'seat1', ip: '10.0.0.1' },
    { hostname: 'seat2', ip: '10.0.0.2' },
  ],
  new Map([['seat1', 'alice']]),
  {},
);
let http: Listening;

/** node:http rather than fetch: the exact headers sent, none added. */
const get = (path: string, headers: Record<string, string | string[]>, method = 'GET') =>
  new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((ok, fail) => {
    const req = request(`${http.url}${path}`, { method, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => ok({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });

beforeAll(async () => {
  const fallback = answerHandler({
    index: () => index,
    counts,
    fallback: (_req, res) => {
      res.writeHead(418);
      res.end('fallback');
    },
  });
  http = await listen(fallback, '127.0.0.1', 0);
});
afterAll(() => http?.close());

describe('GET / (nginx auth_request)', () => {
  it('answers a known address with the user and SADM’s working status', async () => {
    const r = await get('/', { 'X-Real-IP': '10.0.0.1' });
    expect(r.status).toBe(200);
    expect(r.headers['x-sso-user']).toBe('alice');
    expect(r.headers['x-sso-status']).toBe('working: machine 10.0.0.1 has login alice');
    expect(r.headers['cache-control']).toBe('no-store, private');
    expect(r.body).toBe('');
  });

  it('answers an address without a login with only the unknown status', async () => {
    for (const ip of ['10.0.0.2', '192.168.9.9']) {
      const r = await get('/', { 'x-real-ip': ip });
      expect(r.status).toBe(200);
      expect(r.headers['x-sso-user']).toBeUndefined();
      expect(r.headers['x-sso-status']).toBe(`unknown: machine ${ip} has no login`);
      expect(r.headers['cache-control']).toBe('no-store, private');
    }
  });

  it('looks an IPv4-mapped IPv6 address up as its IPv4 address', async () => {
    const r = await get('/', { 'x-real-ip': '::ffff:10.0.0.1' });
    expect(r.headers['x-sso-user']).toBe('alice');
  });

  it('answers 400 naming X-Real-IP when it is missing, invalid or repeated', async () => {
    const cases: Record<string, string | string[]>[] = [
      {},
      { 'x-real-ip': 'nope' },
      { 'x-real-ip': ['10.0.0.1', '10.0.0.2'] },
    ];
    for (const headers of cases) {
      const r = await get('/', headers);
      expect(r.status).toBe(400);
      expect(r.headers['x-sso-user']).toBeUndefined();
      expect(r.headers['cache-control']).toBe('no-store, private');
      const body = JSON.parse(r.body);
      expect(body.error.code).toBe('invalid_request');
      expect(body.error.details[0].field).toBe('X-Real-IP');
    }
  });

  it('ignores a query string and answers HEAD alike', async () => {
    expect((await get('/?x=1', { 'x-real-ip': '10.0.0.1' })).headers['x-sso-user']).toBe('alice');
    const head = await get('/', { 'x-real-ip': '10.0.0.1' }, 'HEAD');
    expect(head.headers['x-sso-user']).toBe('alice');
  });

  it('hands every other request to the fallback (express: /healthz, /metrics)', async () => {
    expect((await get('/healthz', {})).status).toBe(418);
    expect((await get('/', { 'x-real-ip': '10.0.0.1' }, 'POST')).status).toBe(418);
  });

  it('counts the answers', () => {
    expect(counts.known).toBeGreaterThanOrEqual(4);
    expect(counts.unknown).toBe(2);
    expect(counts.bad).toBe(3);
  });
});
