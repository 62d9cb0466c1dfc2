import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, conflict, notFound } from './errors.ts';
import { createHttpApp, type HealthReport } from './http.ts';
import { createLogger } from './logging.ts';
import { Registry } from './metrics.ts';
import { type Listening, listen } from './server.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let server: Listening;
let health: HealthReport = { ok: true };
const logLines: Record<string, unknown>[] = [];
const metrics = new Registry();

beforeAll(async () => {
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  const app = createHttpApp({
    service: 'test-svc',
    logger: createLogger('test-svc', { stream, level: 'info' }),
    metrics,
    health: () => health,
    mount: (a) => {
      a.get('/ok', (_req, res) => {
        res.json({ ok: true });
      });
      a.get('/items/:id', (req, res) => {
        res.json({ id: req.params.id });
      });
      a.get('/app-error', () => {
        throw conflict('hostname', 'already taken', { hostname: 'pc' });
      });
      a.get('/missing', () => {
        throw notFound('machine "pc"');
      });
      a.get('/teapot', () => {
        throw new AppError(418, 'teapot', 'short and stout');
      });
      a.get('/boom', () => {
        throw new Error('secret database password in message');
      });
      a.get('/async-boom', async () => {
        await Promise.resolve();
        throw new TypeError('cannot read properties of undefined (secret)');
      });
      a.get('/throw-string', () => {
        throw 'a bare string';
      });
    },
  });
  server = await listen(app, '127.0.0.1', 0);
});

afterAll(async () => {
  await server?.close(100);
});

const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { headers });

describe('createHttpApp', () => {
  it('binds the port it was given (0 → an ephemeral port)', () => {
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('serves mounted routes', async () => {
    const res = await get('/items/42');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: '42' });
  });

  it('turns an AppError into {"error": {code, message, details}} with its status', async () => {
    const res = await get('/app-error');
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      error: {
        code: 'conflict',
        message: 'hostname: already taken',
        details: [{ field: 'hostname', message: 'already taken', existing: { hostname: 'pc' } }],
      },
    });
  });

  it('omits details when an AppError has none', async () => {
    const res = await get('/teapot');
    expect(res.status).toBe(418);
    expect(await res.json()).toEqual({ error: { code: 'teapot', message: 'short and stout' } });
    expect(await (await get('/missing')).json()).toEqual({
      error: { code: 'not_found', message: 'machine "pc" not found' },
    });
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await get('/no/such/route');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: 'not_found', message: 'no route for GET /no/such/route' },
    });
    const post = await fetch(`${server.url}/ok`, { method: 'POST' });
    expect(post.status).toBe(404);
  });

  it.each(['/boom', '/async-boom', '/throw-string'])(
    '%s: a plain throw is a logged 500 that leaks nothing',
    async (path) => {
      const res = await get(path, { 'X-Request-Id': `req-${path.slice(1)}` });
      expect(res.status).toBe(500);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error).toEqual({
        code: 'internal',
        message: `internal error (request req-${path.slice(1)})`,
      });
      expect(JSON.stringify(body)).not.toMatch(/secret|bare string|Error/);
      const logged = logLines.find(
        (l) => l.message === 'unhandled error' && l.request_id === `req-${path.slice(1)}`,
      );
      expect(logged).toMatchObject({ level: 'error', service: 'test-svc' });
    },
  );

  it('echoes a safe X-Request-Id and logs it', async () => {
    const res = await get('/ok', { 'X-Request-Id': 'abc-123_x.y' });
    expect(res.headers.get('x-request-id')).toBe('abc-123_x.y');
    expect(logLines.some((l) => l.message === 'request' && l.request_id === 'abc-123_x.y')).toBe(
      true,
    );
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['with a space', 'a b'],
    ['too long', 'x'.repeat(65)],
    ['with markup', '<script>'],
    ['with a slash', '../etc'],
    ['non-ASCII', 'caf\u00e9'],
  ])('generates a request id when the incoming one is %s', async (_what, incoming) => {
    const headers: Record<string, string> = {};
    if (incoming !== undefined) headers['X-Request-Id'] = incoming;
    const res = await get('/ok', headers).catch(() => null);
    // fetch refuses some header values itself; those never reach the server.
    if (res === null) return;
    expect(res.headers.get('x-request-id')).toMatch(UUID);
  });

  it('accepts a 64-character request id', async () => {
    const id = 'a'.repeat(64);
    expect((await get('/ok', { 'X-Request-Id': id })).headers.get('x-request-id')).toBe(id);
  });

  it('/healthz is 200 while healthy and 503 otherwise, with the report as body', async () => {
    health = { ok: true, database: 'sqlite' };
    let res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, database: 'sqlite' });
    health = { ok: false, error: 'database unreachable' };
    res = await get('/healthz');
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ok: false, error: 'database unreachable' });
    health = { ok: true };
  });

  it('/metrics counts requests as lanctl_<service>_http_requests_total by route and status', async () => {
    await get('/items/1');
    await get('/items/2');
    await get('/nowhere/7');
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/# TYPE lanctl_test_svc_http_requests_total counter/);
    const line = text
      .split('\n')
      .find(
        (l) => l.startsWith('lanctl_test_svc_http_requests_total{') && l.includes('/items/:id'),
      );
    expect(line).toMatch(/method="GET"/);
    expect(line).toMatch(/status="200"/);
    expect(Number(line?.split(' ').pop())).toBeGreaterThanOrEqual(2);
    // Unmatched paths share one label, so a scanner cannot blow up the series count.
    expect(text).toMatch(/route="unmatched",status="404"/);
    expect(text).not.toMatch(/nowhere/);
    expect(text).toMatch(/lanctl_test_svc_http_request_duration_seconds_bucket/);
  });

  it('does not advertise express', async () => {
    expect((await get('/ok')).headers.get('x-powered-by')).toBeNull();
  });

  it('turns a malformed URL into a 400, not a 500', async () => {
    const res = await get('/items/%E0%A4%A');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad_request');
  });
});
