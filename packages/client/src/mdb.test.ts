import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from './errors.ts';
import { createMdbClient } from './mdb.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
type Answer = { status: number; body: string; type?: string };

/** A scripted server: answers are queued per test, requests are recorded. */
let server: Server;
let base: string;
const seen: Seen[] = [];
let answers: ((req: Seen) => Answer)[] = [];

const json = (status: number, value: unknown): Answer => ({ status, body: JSON.stringify(value) });

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const request = { method: req.method!, url: req.url!, headers: req.headers, body };
      seen.push(request);
      const answer = answers.shift()?.(request) ?? json(500, { error: 'unscripted' });
      res.writeHead(answer.status, { 'content-type': answer.type ?? 'application/json' });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen.length = 0;
  answers = [];
});

const machine = (hostname: string) => ({ hostname, aliases: [], ip: '10.0.0.1', mac: 'x' });

describe('createMdbClient', () => {
  it('sends the bearer token and a JSON body, and returns the decoded record', async () => {
    answers.push(() => json(201, machine('pc1')));
    const client = createMdbClient({ baseUrl: `${base}/`, token: 'tok' });
    const created = await client.machines.create({ hostname: 'pc1', mac: 'AA-BB-CC-DD-EE-FF' });
    expect(created.hostname).toBe('pc1');
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/api/v1/machines' });
    expect(seen[0]!.headers.authorization).toBe('Bearer tok');
    expect(seen[0]!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen[0]!.body)).toEqual({ hostname: 'pc1', mac: 'AA-BB-CC-DD-EE-FF' });
  });

  it('maps an error answer to ApiError with status, code and field details', async () => {
    const details = [{ field: 'mac', message: 'already used', existing: { hostname: 'pc2' } }];
    answers.push(() => json(409, { error: { code: 'conflict', message: 'mac: taken', details } }));
    const error = await createMdbClient({ baseUrl: base })
      .machines.update('pc1', { mac: 'aa:bb:cc:dd:ee:ff' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'conflict', message: 'mac: taken', details });
    expect(seen[0]).toMatchObject({ method: 'PATCH', url: '/api/v1/machines/pc1' });
  });

  it('listAll follows next until it is null, with the filters on every page', async () => {
    answers.push(
      () => json(200, { items: [machine('a'), machine('b')], next: 'b' }),
      () => json(200, { items: [machine('c')], next: 'c' }),
      () => json(200, { items: [], next: null }),
    );
    const pages: number[] = [];
    const all = await createMdbClient({ baseUrl: base }).machines.listAll(
      { faulty: false, room: 'alt' },
      (page) => pages.push(page.items.length),
    );
    expect(all.map((m) => m.hostname)).toEqual(['a', 'b', 'c']);
    expect(pages).toEqual([2, 1, 0]);
    const queries = seen.map((s) => new URL(s.url, base).searchParams);
    expect(queries.map((q) => q.get('after'))).toEqual([null, 'b', 'c']);
    expect(queries.every((q) => q.get('faulty') === 'false' && q.get('room') === 'alt')).toBe(true);
  });

  it('refuses a cursor that does not move instead of looping', async () => {
    answers.push(
      () => json(200, { items: [machine('a')], next: 'a' }),
      () => json(200, { items: [machine('a')], next: 'a' }),
    );
    await expect(createMdbClient({ baseUrl: base }).rooms.listAll()).rejects.toThrow(/cursor/);
  });

  it('encodes keys into one path segment', async () => {
    answers.push(() => json(200, { name: 'x' }));
    await createMdbClient({ baseUrl: base }).machineTypes.remove('a/b?c');
    expect(seen[0]).toMatchObject({ method: 'DELETE', url: '/api/v1/machine-types/a%2Fb%3Fc' });
  });

  it('unwraps the settings list and PUTs a setting', async () => {
    const setting = { key: 'allow_self_registration', value: false, enabled_until: null };
    answers.push(
      () => json(200, { items: [setting], next: null }),
      () => json(200, setting),
    );
    const client = createMdbClient({ baseUrl: base });
    expect(await client.settings.list()).toEqual([setting]);
    await client.settings.set('allow_self_registration', { value: false });
    expect(seen[1]).toMatchObject({
      method: 'PUT',
      url: '/api/v1/settings/allow_self_registration',
    });
  });

  it('reaches the netboot routes: profiles, expect lists, registrations, import', async () => {
    for (let i = 0; i < 5; i++) answers.push(() => json(200, {}));
    const client = createMdbClient({ baseUrl: base, token: 't' });
    await client.bootProfiles.update('contestant', { cmdline: 'quiet' });
    await client.rooms.expected.set('pas teur', ['pc1']);
    await client.registrations.suggest('alt');
    await client.registrations.register({ mac: '52:54:00:00:00:01', room: 'alt', mtype: 'user' });
    await client.machines.import([{ hostname: 'a', mac: '52:54:00:00:00:02' }], { dryRun: true });
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual([
      'PATCH /api/v1/boot-profiles/contestant',
      'PUT /api/v1/rooms/pas%20teur/expected',
      'GET /api/v1/registrations/suggestion?room=alt',
      'POST /api/v1/registrations',
      'POST /api/v1/machines/import',
    ]);
    expect(JSON.parse(seen[1]!.body)).toEqual({ hostnames: ['pc1'] });
    expect(JSON.parse(seen[4]!.body)).toEqual({
      rows: [{ hostname: 'a', mac: '52:54:00:00:00:02' }],
      dry_run: true,
    });
  });

  it('turns an answer that is not the API error shape into an http_error', async () => {
    answers.push(() => ({ status: 502, body: '<html>bad gateway</html>', type: 'text/html' }));
    const error = await createMdbClient({ baseUrl: base })
      .whoami()
      .catch((e) => e);
    expect(error).toMatchObject({ status: 502, code: 'http_error' });
    expect(error.message).toContain('/api/v1/auth/whoami');
  });

  it('turns a 200 that is not JSON into bad_response', async () => {
    answers.push(() => ({ status: 200, body: '<html>hello</html>', type: 'text/html' }));
    await expect(createMdbClient({ baseUrl: base }).pools.get('user')).rejects.toMatchObject({
      code: 'bad_response',
    });
  });

  it('reports a closed port as "cannot reach mdb at URL"', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await createMdbClient({ baseUrl: url })
      .whoami()
      .catch((e) => e);
    expect(error).toMatchObject({ status: 0, code: 'unreachable' });
    expect(error.message).toMatch(new RegExp(`^cannot reach mdb at ${url}: .*ECONNREFUSED`));
  });

  it('gives up after timeoutMs', async () => {
    answers.push(() => ({ status: 200, body: '{}' }));
    const slow: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)),
      );
    const error = await createMdbClient({ baseUrl: base, timeoutMs: 20, fetch: slow })
      .whoami()
      .catch((e) => e);
    expect(error).toMatchObject({ status: 0, code: 'timeout' });
  });

  it('rejects an unusable base URL at construction', () => {
    expect(() => createMdbClient({ baseUrl: 'localhost:8080' })).toThrow(/invalid mdb URL/);
    expect(() => createMdbClient({ baseUrl: 'ftp://x' })).toThrow(/http and https/);
  });
});
