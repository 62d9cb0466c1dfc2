import type { KeyObject } from 'node:crypto';
import { forbidden, unauthorized } from '@lanctl/core';
import type { Role } from '@lanctl/model';
import type { NextFunction, Request, Response } from 'express';
import { type Principal, verifyToken } from './tokens.ts';

/** The principal a request authenticated as, if any. */
export const principalOf = (res: Response): Principal | undefined =>
  res.locals.principal as Principal | undefined;

/**
 * Verifies a bearer token if one is sent and records the principal in `res.locals`. A bad
 * token is a 401 even on public routes: a client that sends credentials wants to know.
 */
export function authenticate(publicKey: KeyObject) {
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    if (header === undefined) return next();
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw unauthorized('the Authorization header must be "Bearer <token>"');
    const result = verifyToken(publicKey, match[1]!);
    if (!result.ok) throw unauthorized(`invalid token: ${result.reason}`);
    res.locals.principal = result.principal;
    next();
  };
}

/** Requires a principal holding `scope`; with `roles`, also one of those roles. */
export function requireScope(scope: string, roles?: Role[]) {
  return (_req: Request, res: Response, next: NextFunction) => {
    const principal = principalOf(res);
    if (!principal) throw unauthorized();
    if (!principal.scopes.includes(scope) || (roles && !roles.includes(principal.role))) {
      throw forbidden(
        `role ${principal.role} may not ${scope === 'read' ? 'read this' : 'do this'}`,
      );
    }
    next();
  };
}
