import type { KeyObject } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { authenticate, requireScope } from '@lanctl/auth';
import { type createHttpApp, invalidRequest } from '@lanctl/core';
import type { TransferHistory } from './history.ts';

type App = Parameters<Parameters<typeof createHttpApp>[0]['mount']>[0];

export interface ApiDeps {
  publicKey: KeyObject;
  history: TransferHistory;
}

const MAX_LIMIT = 1000;

function parseLimit(value: unknown): number {
  if (value === undefined) return 100;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1 && n <= MAX_LIMIT)) {
    const message = `expected an integer from 1 to ${MAX_LIMIT}`;
    throw invalidRequest(`limit: ${message}`, [{ field: 'limit', message }]);
  }
  return n;
}

function parseIp(value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value === 'string' && isIPv4(value)) return value;
  const message = 'expected an IPv4 address such as 192.168.0.11';
  throw invalidRequest(`ip: ${message}`, [{ field: 'ip', message }]);
}

/** `GET /api/v1/transfers?ip=&limit=`: bearer token with the `read` scope. */
export function mountApi(app: App, deps: ApiDeps): void {
  app.get('/api/v1/transfers', authenticate(deps.publicKey), requireScope('read'), (req, res) => {
    const ip = parseIp(req.query.ip);
    const limit = parseLimit(req.query.limit);
    const transfers = deps.history.query(ip, limit).map((t) => ({
      ...t,
      at: new Date(t.at).toISOString(),
      source: 'tftp',
    }));
    res.json({ ip, transfers });
  });
}
