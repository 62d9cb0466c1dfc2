import type { KeyObject } from 'node:crypto';
import { forbidden, unauthorized } from '@lanctl/core';
import type { Role } from '@lanctl/model';
import type { NextFunction, Request, Response } from 'express';
import { createTokenVerifier, type Principal } from './tokens.ts';

/** The principal a request authenticated as, if any. */
export const principalOf = (res: Response): Principal | undefined =>
  res.locals.principal as Principal | undefined;

/**
 * When the request's token expires (ms since the epoch), if it carried one: a long-lived answer
 * (an event stream) must end then, or it would outlive the session that opened it.
 */
export const tokenExpiryOf = (res: Response): number | undefined =>
  res.locals.tokenExpiresAt as number | undefined;

/** The cookie the web UI's login sets (HttpOnly, SameSite=Strict). */
export const TOKEN_COOKIE = 'lanctl_token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Verifies a bearer token (or the UI's cookie) if one is sent and records the principal in
 * `res.locals`. A bad token is a 401 even on public routes: a client that sends credentials
 * wants to know. A cookie-authenticated write must come from the page's own origin.
 */
export function authenticate(publicKey: KeyObject) {
  const verify = createTokenVerifier(publicKey);
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    const cookie = header === undefined ? readCookie(req.headers.cookie, TOKEN_COOKIE) : undefined;
    if (header === undefined && cookie === undefined) return next();
    let token: string;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw unauthorized('the Authorization header must be "Bearer <token>"');
      token = match[1]!;
    } else {
      token = cookie!;
      if (!SAFE_METHODS.has(req.method)) checkSameOrigin(req);
    }
    const result = verify(token);
    if (!result.ok) throw unauthorized(`invalid token: ${result.reason}`);
    res.locals.principal = result.principal;
    res.locals.tokenExpiresAt = result.expiresAt;
    next();
  };
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Cross-site request forgery guard for cookie sessions: Origin must name this very host. */
function checkSameOrigin(req: Request): void {
  const origin = req.headers.origin;
  const host = req.headers.host;
  let originHost: string | undefined;
  try {
    originHost = origin ? new URL(origin).host : undefined;
  } catch {
    originHost = undefined;
  }
  if (!originHost || !host || originHost !== host) {
    throw forbidden('a cookie-authenticated write needs an Origin header naming this host');
  }
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
