import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
  sign,
  verify,
} from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '@lanctl/core';
import { type Role, roleSchema } from '@lanctl/model';
import { z } from 'zod';

/** Version tag in front of every token, so the format can change without ambiguity. */
const PREFIX = 'lanctl1';

/**
 * `read`/`write`: machines and the rest of mdb; `users:read`/`users:write`: udb accounts (which
 * accounts an orga may touch is checked by udb); `self`: one's own udb record.
 */
export const SCOPES_BY_ROLE: Record<Role, string[]> = {
  root: ['read', 'write', 'users:read', 'users:write'],
  orga: ['read', 'users:read', 'users:write'],
  reader: ['read', 'users:read'],
  user: ['self'],
};

const claimsSchema = z.object({
  sub: z.string().min(1),
  role: roleSchema,
  scopes: z.array(z.string()),
  kind: z.enum(['service', 'user']),
  iat: z.number().int(),
  exp: z.number().int(),
  jti: z.string().min(1),
});
export type TokenClaims = z.output<typeof claimsSchema>;

/** The verified identity behind a request. */
export interface Principal {
  subject: string;
  role: Role;
  scopes: string[];
  kind: 'service' | 'user';
  tokenId: string;
}

export interface IssueOptions {
  subject: string;
  role: Role;
  kind?: 'service' | 'user';
  /** Lifetime in seconds (service tokens: a year by default). */
  ttlSeconds?: number;
  scopes?: string[];
  now?: Date;
}

/** Signs `lanctl1.<base64url claims>.<base64url Ed25519 signature>`. */
export function issueToken(privateKey: KeyObject, options: IssueOptions): string {
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const claims: TokenClaims = {
    sub: options.subject,
    role: options.role,
    scopes: options.scopes ?? SCOPES_BY_ROLE[options.role],
    kind: options.kind ?? 'service',
    iat,
    exp: iat + (options.ttlSeconds ?? 365 * 24 * 3600),
    jti: randomUUID(),
  };
  const body = `${PREFIX}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature = sign(null, Buffer.from(body), privateKey).toString('base64url');
  return `${body}.${signature}`;
}

export type VerifyResult =
  | { ok: true; principal: Principal; expiresAt: number }
  | { ok: false; reason: string };

/** Checks format, signature and expiry; never throws on hostile input. */
export function verifyToken(publicKey: KeyObject, token: string, now = new Date()): VerifyResult {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX) return { ok: false, reason: 'malformed token' };
  const [, payload, signature] = parts as [string, string, string];
  // Only the canonical base64url spelling: otherwise one token has several spellings (padding
  // bits), and a token string could not serve as a key, e.g. in a deny list.
  if (Buffer.from(signature, 'base64url').toString('base64url') !== signature) {
    return { ok: false, reason: 'bad signature' };
  }
  let valid = false;
  try {
    valid = verify(
      null,
      Buffer.from(`${PREFIX}.${payload}`),
      publicKey,
      Buffer.from(signature, 'base64url'),
    );
  } catch {
    valid = false;
  }
  if (!valid) return { ok: false, reason: 'bad signature' };
  let claims: TokenClaims;
  try {
    claims = claimsSchema.parse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
  } catch {
    return { ok: false, reason: 'malformed claims' };
  }
  if (claims.exp * 1000 <= now.getTime()) return { ok: false, reason: 'token expired' };
  return {
    ok: true,
    principal: Object.freeze({
      subject: claims.sub,
      role: claims.role,
      scopes: Object.freeze(claims.scopes) as string[],
      kind: claims.kind,
      tokenId: claims.jti,
    }),
    expiresAt: claims.exp * 1000,
  };
}

/**
 * verifyToken that remembers the tokens it accepted, until their expiry: the Ed25519 check is
 * the largest cost of a small request (11–15 % of presence's CPU under 2,000 heartbeating
 * machines, pnpm bench:presence). Only valid tokens are kept (forging one needs the key), at
 * most `max`, oldest dropped first.
 */
export function createTokenVerifier(publicKey: KeyObject, max = 4096) {
  const accepted = new Map<string, { principal: Principal; expiresAt: number }>();
  return (token: string, now = new Date()): VerifyResult => {
    const known = accepted.get(token);
    if (known) {
      if (known.expiresAt > now.getTime()) return { ok: true, ...known };
      accepted.delete(token);
    }
    const result = verifyToken(publicKey, token, now);
    if (result.ok) {
      if (accepted.size >= max) accepted.delete(accepted.keys().next().value!);
      accepted.set(token, { principal: result.principal, expiresAt: result.expiresAt });
    }
    return result;
  };
}

export interface KeyFiles {
  privateKeyFile: string;
  publicKeyFile: string;
}

/** Creates the Ed25519 signing key pair once (private 0600, public 0644); keeps existing keys. */
export function ensureSigningKeys(files: KeyFiles): void {
  if (existsSync(files.privateKeyFile)) {
    if (!existsSync(files.publicKeyFile)) {
      const pub = createPublicKey(loadPrivateKey(files.privateKeyFile));
      writeFileAtomic(files.publicKeyFile, pub.export({ type: 'spki', format: 'pem' }), 0o644);
    }
    return;
  }
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeFileAtomic(files.privateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), 0o600);
  writeFileAtomic(files.publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }), 0o644);
}

export function loadPrivateKey(path: string): KeyObject {
  return createPrivateKey(readKeyFile(path, 'private'));
}

export function loadPublicKey(path: string): KeyObject {
  return createPublicKey(readKeyFile(path, 'public'));
}

function readKeyFile(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the token ${what} key file ${path}: ${(e as Error).message}`);
  }
}

/**
 * A token read from `path` at every call, so a rotated token is picked up without a restart;
 * read once now, so a missing or unreadable file stops the start with its name.
 */
export function tokenFromFile(path: string, key = 'token_file'): () => string {
  const read = () => readFileSync(path, 'utf8').trim();
  try {
    read();
  } catch (e) {
    throw new Error(`cannot read ${key} ${path}: ${(e as Error).message}`);
  }
  return read;
}
