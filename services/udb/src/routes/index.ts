import type { KeyObject } from 'node:crypto';
import { authenticate } from '@lanctl/auth';
import { Router } from 'express';
import type { LoginLimiter } from '../limiter.ts';
import type { Passwords } from '../passwords.ts';
import type { UserStore } from '../store/users.ts';
import { authRoutes, type SessionOptions } from './auth.ts';
import { importRoutes } from './import.ts';
import { userRoutes } from './users.ts';

export interface UdbApiDeps {
  users: UserStore;
  passwords: Passwords;
  limiter: LoginLimiter;
  reserved: Set<string>;
  publicKey: KeyObject;
  session: SessionOptions;
  /** The change streams (`/sync/:table`), behind authentication. */
  streams: Router;
}

/**
 * Every udb route under /api/v1. Public by design, and only these: `POST /auth/login` and
 * `POST /auth/logout` (see PUBLIC_ROUTES); everything else needs a token.
 */
export function apiRouter(deps: UdbApiDeps): Router {
  const api = Router();
  api.use('/auth', authRoutes(deps.users, deps.passwords, deps.limiter, deps.session));
  api.use(authenticate(deps.publicKey));
  api.use(deps.streams);
  api.use('/users', importRoutes(deps.users, deps.passwords, deps.reserved));
  api.use('/users', userRoutes(deps));
  return api;
}

/** Routes anyone may call: health and metrics for monitoring, logging in and out. */
export const PUBLIC_ROUTES = [
  'GET /healthz',
  'GET /metrics',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/logout',
  // SADM's RPC: `query` is public as in SADM, `query_private` checks SADM's timeauth itself.
  'ALL /call/:name',
  // SADM's udbsync: each checks SADM's timeauth itself (sub secret, pub secret).
  'GET /poll',
  'POST /update',
];
