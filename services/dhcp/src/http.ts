import type { KeyObject } from 'node:crypto';
import { authenticate, requireScope } from '@lanctl/auth';
import { invalidRequest, parseLimitParam } from '@lanctl/core';
import { formatIpv4, MAC_FORMAT_MESSAGE, normalizeMac } from '@lanctl/model';
import express, { type Express } from 'express';
import type { LeaseStore } from './leases.ts';

export interface ApiDeps {
  publicKey: KeyObject;
  store: LeaseStore;
  now: () => number;
}

const MAX_LIMIT = 1000;

/** `/api/v1/boot-events` and `/api/v1/leases`: bearer token with the `read` scope. */
export function mountApi(app: Express, deps: ApiDeps): void {
  const api = express.Router();
  api.use(authenticate(deps.publicKey), requireScope('read'));
  api.get('/boot-events', (req, res) => {
    const raw = req.query.mac;
    const mac = typeof raw === 'string' ? normalizeMac(raw) : null;
    if (mac === null) {
      throw invalidRequest(`mac: ${MAC_FORMAT_MESSAGE}`, [
        { field: 'mac', message: MAC_FORMAT_MESSAGE },
      ]);
    }
    const limit = parseLimitParam(req.query.limit, MAX_LIMIT, 100);
    const events = deps.store.events(mac, limit).map((e) => ({
      ...e,
      at: new Date(e.at).toISOString(),
      source: 'dhcp',
    }));
    res.json({ mac, events });
  });
  api.get('/leases', (_req, res) => {
    const now = deps.now();
    const leases = deps.store.all().map((l) => ({
      ip: formatIpv4(l.ip),
      mac: l.mac,
      client: l.key,
      state: l.state,
      subnet: l.subnet,
      hostname: l.hostname,
      expires_at: new Date(l.expiresAt).toISOString(),
      active: l.state !== 'declined' && l.expiresAt > now,
    }));
    res.json({ leases });
  });
  app.use('/api/v1', api);
}
