import type { Express } from 'express';

export interface RouteInfo {
  method: string;
  path: string;
}

interface LayerLike {
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: LayerLike[] };
}

/**
 * Every route an express app serves, as `METHOD /full/path`, found by walking its router
 * (nested routers included). Tests use it to prove that no route is public by accident.
 */
export function listRoutes(app: Express): RouteInfo[] {
  const root = (app as unknown as { router: { stack: LayerLike[] } }).router;
  const out: RouteInfo[] = [];
  walk(root.stack, '', out);
  return out;
}

function walk(stack: LayerLike[], prefix: string, out: RouteInfo[]): void {
  for (const layer of stack) {
    if (layer.route) {
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (on && method !== '_all')
          out.push({ method: method.toUpperCase(), path: join(prefix, layer.route.path) });
        if (on && method === '_all')
          out.push({ method: 'ALL', path: join(prefix, layer.route.path) });
      }
    } else if (layer.handle?.stack) {
      const path = typeof layer.rawPath === 'string' ? layer.rawPath : '';
      walk(layer.handle.stack, join(prefix, path), out);
    }
  }
}

const join = (a: string, b: string) => `${a}/${b}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
