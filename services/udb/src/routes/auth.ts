import type { KeyObject } from 'node:crypto';
import { authenticate, issueToken, principalOf, TOKEN_COOKIE } from '@lanctl/auth';
import { AppError, parseInput, unauthorized } from '@lanctl/core';
import { type Group, loginRequestSchema } from '@lanctl/model';
import { type Response, Router } from 'express';
import type { LoginLimiter } from '../limiter.ts';
import type { Passwords } from '../passwords.ts';
import { toUser } from '../store/records.ts';
import type { UserStore } from '../store/users.ts';

export interface SessionOptions {
  privateKey: KeyObject;
  publicKey: KeyObject;
  ttlSeconds: number;
  cookieSecure: boolean;
}

/** `POST /auth/login` (public, rate-limited) and `POST /auth/logout`. */
export function authRoutes(
  users: UserStore,
  passwords: Passwords,
  limiter: LoginLimiter,
  session: SessionOptions,
): Router {
  const router = Router();
  router.post('/login', async (req, res) => {
    const { login, password } = parseInput(loginRequestSchema, req.body);
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const wait = limiter.retryAfter(address, login);
    if (wait > 0) {
      res.setHeader('Retry-After', String(wait));
      throw new AppError(429, 'rate_limited', `too many failed logins: try again in ${wait} s`);
    }
    const row = await users.find(login);
    // An unknown login costs the time of a real check, so timing does not tell logins apart.
    if (!row) passwords.burn(password);
    if (!row || !passwords.verify(password, row.password_hash)) {
      limiter.fail(address, login);
      throw new AppError(401, 'invalid_credentials', 'wrong login or password');
    }
    limiter.succeed(login);
    const token = issueToken(session.privateKey, {
      subject: row.login,
      role: row.grp as Group,
      kind: 'user',
      ttlSeconds: session.ttlSeconds,
    });
    setSessionCookie(res, token, session.ttlSeconds, session.cookieSecure);
    const expires = new Date(Date.now() + session.ttlSeconds * 1000).toISOString();
    res.json({ token, expires_at: expires, user: toUser(row) });
  });
  router.get('/whoami', authenticate(session.publicKey), (_req, res) => {
    const principal = principalOf(res);
    if (!principal) throw unauthorized();
    res.json(principal);
  });
  router.post('/logout', (_req, res) => {
    setSessionCookie(res, '', 0, session.cookieSecure);
    res.json({ ok: true });
  });
  return router;
}

function setSessionCookie(res: Response, token: string, maxAge: number, secure: boolean): void {
  const parts = [
    `${TOKEN_COOKIE}=${token}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${maxAge}`,
  ];
  if (secure) parts.push('Secure');
  res.setHeader('Set-Cookie', parts.join('; '));
}
