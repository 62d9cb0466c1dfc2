import type { KeyObject } from 'node:crypto';
import { authenticate, requireScope } from '@lanctl/auth';
import { AppError, invalidRequest, issuesToFields } from '@lanctl/core';
import { hostnameSchema, loginSchema } from '@lanctl/model';
import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { Refusal } from './state.ts';

/** The scope a workstation's token needs to log users in and out and send heartbeats. */
export const PRESENCE_WRITE_SCOPE = 'presence:write';

/** What the routes do (the service's state machine behind them). */
export interface PresenceActions {
  login(login: string, hostname: string): Refusal | null;
  logout(login: string, hostname: string): Refusal | { reason: string; message: string } | null;
  heartbeat(login: string, hostname: string): void;
  list(): { login: string; hostname: string; expires_at: string }[];
  kickUser(login: string): boolean;
  freeMachine(hostname: string): boolean;
}

const bodySchema = z.object({ login: loginSchema, hostname: hostnameSchema }).strict();

function parseBody(req: Request): { login: string; hostname: string } {
  const parsed = bodySchema.safeParse(req.body);
  if (!parsed.success) {
    const fields = issuesToFields(parsed.error.issues);
    throw invalidRequest(fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields);
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
  const write = requireScope(PRESENCE_WRITE_SCOPE);
  router.post('/presence/login', write, (req: Request, res: Response) => {
    const { login, hostname } = parseBody(req);
    const refusal = actions.login(login, hostname);
    if (refusal) throw locked(refusal);
    res.json({ login, hostname });
  });
  router.post('/presence/logout', write, (req: Request, res: Response) => {
    const { login, hostname } = parseBody(req);
    const refusal = actions.logout(login, hostname);
    if (refusal) throw locked(refusal);
    res.json({ login, hostname });
  });
  router.post('/presence/heartbeat', write, (req: Request, res: Response) => {
    const { login, hostname } = parseBody(req);
    actions.heartbeat(login, hostname);
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
