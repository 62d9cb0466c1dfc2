import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Hashed names under assets/ never change content: a year, immutable. The page: never cached. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const NO_STORE = 'no-store';

/** The page only talks to its own origin; nothing is loaded from anywhere else. */
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; connect-src 'self'; " +
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
};

interface StaticFile {
  body: Buffer;
  headers: Record<string, string>;
}

/** Answers a request, or returns false to let the caller answer it (404, API, ...). */
export type WebHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * The built UI from `dist` (read once, into memory: a few hundred kB): files by path, and
 * index.html for any other GET that asks for a page (the client-side routes), so a reload of
 * `/machines` works. `/api/...` is never answered here.
 */
export function createWebHandler(dist: string): WebHandler {
  const files = loadFiles(dist);
  const index = files.get('/index.html');
  if (!index) throw new Error(`web UI: ${join(dist, 'index.html')} is missing (pnpm build:web)`);
  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const path = decodePath(req.url ?? '/');
    if (path === undefined || path.startsWith('/api/')) return false;
    const file = files.get(path === '/' ? '/index.html' : path) ?? (wantsPage(path) ? index : null);
    if (!file) return false;
    res.writeHead(200, { ...file.headers, 'content-length': String(file.body.length) });
    res.end(req.method === 'HEAD' ? undefined : file.body);
    return true;
  };
}

function loadFiles(dist: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  if (!existsSync(dist)) return files;
  for (const entry of readdirSync(dist, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const abs = join(entry.parentPath, entry.name);
    const urlPath = `/${relative(dist, abs).split(sep).join('/')}`;
    const type = TYPES[extname(entry.name)] ?? 'application/octet-stream';
    const isPage = urlPath === '/index.html';
    files.set(urlPath, {
      body: readFileSync(abs),
      headers: {
        'content-type': type,
        'cache-control': urlPath.startsWith('/assets/')
          ? IMMUTABLE
          : isPage
            ? NO_STORE
            : 'no-cache',
        ...(isPage ? SECURITY_HEADERS : { 'x-content-type-options': 'nosniff' }),
      },
    });
  }
  return files;
}

function decodePath(url: string): string | undefined {
  try {
    return decodeURIComponent(url.split('?')[0]!.split('#')[0]!);
  } catch {
    return undefined;
  }
}

/** A client route looks like a page: no file extension (a missing `/assets/x.js` stays a 404). */
const wantsPage = (path: string) => !path.startsWith('/assets/') && extname(path) === '';
