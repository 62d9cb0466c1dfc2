import type { KeyObject } from 'node:crypto';
import { authenticate, requireScope } from '@lanctl/auth';
import { type Request, type Response, Router } from 'express';

/** What `GET /api/v1/firewall` reports. */
export interface FirewallView {
  backend: string;
  set: string;
  contest_mode: boolean;
  allowed_groups: string[];
  waiting_for: string[];
  addresses: { ip: string; reason: string }[];
  /** Allowed by the policy but left out: the set cannot hold them (e.g. outside a bitmap range). */
  skipped: { ip: string; reason: string; skip_reason: string; detail: string }[];
  last_apply: unknown;
}

/** `/api/v1/firewall` (scope `read`): the wanted set with a reason per address, and the last apply. */
export function firewallRouter(view: () => FirewallView, publicKey: KeyObject): Router {
  const router = Router();
  router.use(authenticate(publicKey));
  router.get('/firewall', requireScope('read'), (_req: Request, res: Response) => {
    res.json(view());
  });
  return router;
}
