import type { RequestListener } from 'node:http';
import { type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { WebHandler } from '@lanctl/web';

/** Which service owns which `/api/v1/<collection>`: the one table `lanctl start` routes by. */
export const API_ROUTES: { prefix: string; service: string }[] = [
  // Before mdb's /machines: a machine's boot timeline is netboot's (`*` is one path segment).
  { prefix: '/api/v1/machines/*/boot', service: 'netboot' },
  { prefix: '/api/v1/boot', service: 'netboot' },
  { prefix: '/api/v1/machines', service: 'mdb' },
  { prefix: '/api/v1/boot-profiles', service: 'mdb' },
  { prefix: '/api/v1/registrations', service: 'mdb' },
  { prefix: '/api/v1/switches', service: 'mdb' },
  { prefix: '/api/v1/rooms', service: 'mdb' },
  { prefix: '/api/v1/machine-types', service: 'mdb' },
  { prefix: '/api/v1/pools', service: 'mdb' },
  { prefix: '/api/v1/settings', service: 'mdb' },
  { prefix: '/api/v1/auth/whoami', service: 'mdb' },
  { prefix: '/api/v1/openapi.json', service: 'mdb' },
  { prefix: '/api/v1/auth/login', service: 'udb' },
  { prefix: '/api/v1/auth/logout', service: 'udb' },
  { prefix: '/api/v1/users', service: 'udb' },
  { prefix: '/api/v1/boot-events', service: 'dhcp' },
  { prefix: '/api/v1/leases', service: 'dhcp' },
  { prefix: '/api/v1/transfers', service: 'tftp' },
  { prefix: '/api/v1/presence', service: 'presence' },
  // Change streams (SSE) go to the table's owner; the web UI follows them with its cookie.
  { prefix: '/api/v1/sync/users', service: 'udb' },
  { prefix: '/api/v1/sync/presence', service: 'presence' },
  { prefix: '/api/v1/sync', service: 'mdb' },
  // The room map (not under /api/v1: a page, its state and its event stream).
  { prefix: '/usermap', service: 'sso' },
];

/** Hop-by-hop headers are never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** A prefix as a regular expression: `*` matches one path segment. */
const PATTERNS = new Map(
  API_ROUTES.map((r) => [
    r.prefix,
    new RegExp(
      `^${r.prefix.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/?]+')}(?:[/?]|$)`,
    ),
  ]),
);

export function routeFor(path: string): string | undefined {
  return API_ROUTES.find((r) => PATTERNS.get(r.prefix)!.test(path))?.service;
}

/**
 * The one origin people use (`http://127.0.0.1:8080/`): `/api/v1/...` is streamed to the owning
 * service, anything else is the web UI (`web`: its files, and index.html for its client-side
 * routes); without a built UI, `/` describes the gateway.
 */
export function createOrigin(upstreams: Record<string, string>, web?: WebHandler): RequestListener {
  return (req, res) => {
    // Routed as the services will read it (`..` and `%2e%2e` resolved, as nginx does): the
    // path the routing table sees is the one the chosen service is sent.
    let url: URL;
    try {
      url = new URL(`http://origin${req.url ?? '/'}`);
    } catch {
      return json(res, 400, { error: { code: 'invalid_request', message: 'bad request target' } });
    }
    const path = url.pathname;
    const service = routeFor(path);
    if (service && upstreams[service]) {
      const target = new URL(upstreams[service]!);
      target.pathname = path;
      target.search = url.search;
      return forward(req, res, target, service);
    }
    if (path === '/healthz') return json(res, 200, { ok: true, services: upstreams });
    if (web?.(req, res)) return;
    if (path === '/' || path === '/index.html') return index(res, upstreams);
    json(res, 404, { error: { code: 'not_found', message: `no route for ${req.method} ${path}` } });
  };
}

function forward(req: IncomingMessage, res: ServerResponse, target: URL, service: string) {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  }
  // The client's own claims are replaced: services that trust a proxy's X-Real-IP (netboot's
  // registration) must get the address this origin saw.
  headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  headers['x-real-ip'] = req.socket.remoteAddress ?? '';
  let complete = false;
  const upstream = request(target, { method: req.method, headers }, (answer) => {
    const out: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
    }
    res.writeHead(answer.statusCode ?? 502, out);
    answer.on('end', () => (complete = true));
    answer.pipe(res);
  });
  // A client gone mid-answer (a closed page's event stream) must not keep the upstream open.
  res.on('close', () => {
    if (!complete) upstream.destroy();
  });
  upstream.on('error', (e) => {
    if (res.headersSent) return res.destroy();
    json(res, 502, {
      error: { code: 'bad_gateway', message: `${service} is unreachable: ${e.message}` },
    });
  });
  req.pipe(upstream);
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function index(res: ServerResponse, upstreams: Record<string, string>) {
  const rows = Object.entries(upstreams)
    .map(([name, url]) => `<li><b>${name}</b>: <code>${url}</code></li>`)
    .join('');
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(
    `<!doctype html><meta charset="utf-8"><title>lanctl</title><h1>lanctl gateway</h1>` +
      `<p>API: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a> (bearer token in <code>admin-token</code> of the data directory).</p>` +
      `<p>Services:</p><ul>${rows}</ul>` +
      `<p>The web UI is not built: run <code>pnpm build:web</code> and restart.</p>`,
  );
}
