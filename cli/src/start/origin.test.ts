import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrigin } from './origin.ts';

const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );

/** A raw request (fetch would resolve `..` before sending). */
function get(base: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const u = new URL(base);
    request({ host: u.hostname, port: u.port, path, headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    })
      .on('error', reject)
      .end();
  });
}

describe("lanctl start's origin", () => {
  const servers: Server[] = [];
  const seen: { service: string; url: string; realIp: string | undefined }[] = [];
  const closed: string[] = [];
  let origin: string;

  beforeAll(async () => {
    const upstream = (service: string) => {
      const server = createServer((req: IncomingMessage, res) => {
        seen.push({ service, url: req.url!, realIp: req.headers['x-real-ip'] as string });
        if (req.url!.startsWith('/api/v1/sync/machines')) {
          // An event stream: open until the client goes away.
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          res.write(': hello\n\n');
          req.on('close', () => closed.push(service));
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ service, url: req.url }));
      });
      servers.push(server);
      return listen(server);
    };
    const upstreams = { mdb: await upstream('mdb'), udb: await upstream('udb') };
    const server = createServer(createOrigin(upstreams));
    servers.push(server);
    origin = await listen(server);
  });
  afterAll(() =>
    Promise.all(
      servers.map((s) => {
        s.closeAllConnections();
        return new Promise((r) => s.close(r));
      }),
    ),
  );

  it('routes on the path the service will read: dot segments are resolved first', async () => {
    expect(await get(origin, '/api/v1/sync/users/../rooms')).toEqual({
      status: 200,
      body: { service: 'mdb', url: '/api/v1/sync/rooms' },
    });
    const escaped = await get(origin, '/api/v1/users/../../../metrics');
    expect(escaped.status).toBe(404);
    expect(escaped.body.error.message).toBe('no route for GET /metrics');
    expect((await get(origin, '/api/v1/users/%2e%2e/%2e%2e/%2e%2e/metrics')).status).toBe(404);
    expect(seen.map((s) => s.url)).toEqual(['/api/v1/sync/rooms']);
    expect(await get(origin, '/api/v1/users?limit=2')).toEqual({
      status: 200,
      body: { service: 'udb', url: '/api/v1/users?limit=2' },
    });
  });

  it("replaces the client's X-Real-IP with the address it saw", async () => {
    await get(origin, '/api/v1/machines', { 'x-real-ip': '192.168.250.7' });
    expect(seen.at(-1)).toMatchObject({ service: 'mdb', realIp: '127.0.0.1' });
  });

  it('closes the upstream stream when the client goes away', async () => {
    const u = new URL(origin);
    await new Promise<void>((resolve) => {
      const req = request(
        { host: u.hostname, port: u.port, path: '/api/v1/sync/machines' },
        (res) =>
          res.once('data', () => {
            req.destroy();
            resolve();
          }),
      );
      req.end();
    });
    for (let i = 0; i < 100 && !closed.includes('mdb'); i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(closed).toEqual(['mdb']);
  });
});
