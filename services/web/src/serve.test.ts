import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebHandler } from './serve.ts';

describe('createWebHandler', () => {
  const dist = mkdtempSync(join(tmpdir(), 'lanctl-web-dist-'));
  let server: Server;
  let base: string;

  beforeAll(async () => {
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dist, 'assets', 'index-abc123.css'), 'body{}');
    writeFileSync(join(dist, 'robots.txt'), 'User-agent: *');
    const web = createWebHandler(dist);
    server = createServer((req, res) => {
      if (!web(req, res)) res.writeHead(404).end('not here');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves the page at / never cached, with a same-origin-only CSP', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await res.text()).toContain('id="root"');
  });

  it('answers client-side routes with the page (a reload of /machines works)', async () => {
    for (const path of ['/machines', '/users/alice', '/login?next=%2Fmachines']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.text()).toContain('id="root"');
    }
  });

  it('serves hashed assets with their type, cached for a year', async () => {
    const js = await fetch(`${base}/assets/index-abc123.js`);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const css = await fetch(`${base}/assets/index-abc123.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const txt = await fetch(`${base}/robots.txt`);
    expect(txt.headers.get('cache-control')).toBe('no-cache');
  });

  it('leaves missing files, the API, traversal and writes to the caller', async () => {
    for (const path of ['/assets/gone.js', '/favicon.ico', '/api/v1/nothing']) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(404);
    }
    expect((await fetch(`${base}/machines`, { method: 'POST' })).status).toBe(404);
    // Files are served from memory by exact path: a traversal is just an unknown client route.
    const traversal = await fetch(`${base}/..%2f..%2fetc/passwd`);
    expect(await traversal.text()).toContain('id="root"');
    expect((await fetch(`${base}/assets/..%2f..%2f..%2fetc%2fhosts.js`)).status).toBe(404);
  });

  it('answers HEAD without a body', async () => {
    const res = await fetch(`${base}/`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await res.text()).toBe('');
  });

  it('refuses to start without index.html', () => {
    expect(() => createWebHandler(join(dist, 'assets'))).toThrow(/index\.html is missing/);
  });
});
