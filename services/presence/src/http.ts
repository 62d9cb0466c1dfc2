import type { KeyObject } from 'node:crypto';
import {
  authenticate,
  isWorkstation,
  mayActForHost,
  principalOf,
  requireScope,
} from '@lanctl/auth';
import { AppError, forbidden, invalidRequest, issuesToFields, unauthorized } from '@lanctl/core';
import { hostnameSchema, loginSchema } from '@lanctl/model';
import { type NextFunction, type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { Refusal } from './state.ts';

/** What the routes do (the service's state machine behind them). */
export interface PresenceActions {
  login(login: string, hostname: string): Refusal | null;
  logout(login: string, hostname: string): Refusal | { reason: string; message: string } | null;
  heartbeat(login: string, hostname: string): Refusal | null;
  list(): { login: string; hostname: string; expires_at: string }[];
  kickUser(login: string): boolean;
  freeMachine(hostname: string): boolean;
}

const bodySchema = z.object({ login: loginSchema, hostname: hostnameSchema }).strict();

/** A workstation token: `presence:write` (any machine) or `presence:host:<H>` (machine H only). */
function workstation(_req: Request, res: Response, next: NextFunction): void {
  const principal = principalOf(res);
  if (!principal) throw unauthorized();
  if (!isWorkstation(principal)) {
    throw forbidden(
      'a workstation token (scope presence:write or presence:host:<hostname>) is needed',
    );
  }
  next();
}

/** The body, once valid, and only for a machine the token may act for. */
function parseBody(req: Request, res: Response): { login: string; hostname: string } {
  const parsed = bodySchema.safeParse(req.body);
  if (!parsed.success) {
    const fields = issuesToFields(parsed.error.issues);
    throw invalidRequest(fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields);
  }
  if (!mayActForHost(principalOf(res)!, parsed.data.hostname)) {
    throw forbidden(`this token is bound to another machine than ${parsed.data.hostname}`);
  }
  return parsed.data;
}

/** SADM answered refusals with 423 and the reason text; ours add the reason id. */
const locked = (refusal: { reason: string; message: string }) =>
  new AppError(423, refusal.reason, refusal.message);

/** `/api/v1/presence...` and the stream router (`/sync/presence`), behind bearer tokens. */
export function presenceRouter(
  actions: PresenceActions,
  publicKey: KeyObject,
  streams: Router,
): Router {
  const router = Router();
  router.use(authenticate(publicKey));
  router.post('/presence/login', workstation, (req: Request, res: Response) => {
    const { login, hostname } = parseBody(req, res);
    const refusal = actions.login(login, hostname);
    if (refusal) throw locked(refusal);
    res.json({ login, hostname });
  });
  router.post('/presence/logout', workstation, (req: Request, res: Response) => {
    const { login, hostname } = parseBody(req, res);
    const refusal = actions.logout(login, hostname);
    if (refusal) throw locked(refusal);
    res.json({ login, hostname });
  });
  router.post('/presence/heartbeat', workstation, (req: Request, res: Response) => {
    const { login, hostname } = parseBody(req, res);
    const refusal = actions.heartbeat(login, hostname);
    if (refusal) throw locked(refusal);
    res.json({ login, hostname });
  });
  router.get('/presence', requireScope('read'), (_req: Request, res: Response) => {
    res.json({ items: actions.list() });
  });
  const root = requireScope('write', ['root']);
  router.delete('/presence/users/:login', root, (req: Request, res: Response) => {
    const login = String(req.params.login);
    if (!actions.kickUser(login)) throw new AppError(404, 'not_found', `${login} is not logged in`);
    res.status(204).end();
  });
  router.delete('/presence/machines/:hostname', root, (req: Request, res: Response) => {
    const hostname = String(req.params.hostname);
    if (!actions.freeMachine(hostname))
      throw new AppError(404, 'not_found', `nobody is logged on ${hostname}`);
    res.status(204).end();
  });
  router.use(streams);
  return router;
}
