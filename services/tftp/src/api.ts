import type { KeyObject } from 'node:crypto';
import { isIPv4 } from 'node:net';
import { authenticate, requireScope } from '@lanctl/auth';
import { type createHttpApp, invalidRequest, parseLimitParam } from '@lanctl/core';
import type { TransferHistory } from './history.ts';

type App = Parameters<Parameters<typeof createHttpApp>[0]['mount']>[0];

export interface ApiDeps {
  publicKey: KeyObject;
  history: TransferHistory;
}

const MAX_LIMIT = 1000;

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
    const limit = parseLimitParam(req.query.limit, MAX_LIMIT, 100);
    const transfers = deps.history.query(ip, limit).map((t) => ({
      ...t,
      at: new Date(t.at).toISOString(),
      source: 'tftp',
    }));
    res.json({ ip, transfers });
  });
}
