import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { ensureSigningKeys, issueToken, loadPrivateKey, loadPublicKey } from '@lanctl/auth';
import type { Role } from '@lanctl/model';

export interface TestKeys {
  files: { privateKeyFile: string; publicKeyFile: string };
  publicKey: KeyObject;
  privateKey: KeyObject;
  /** A service token of `role` (cached per role). */
  token(role: Role): string;
  /** A person's token, as udb's login would issue it. */
  userToken(login: string, role: Role): string;
}

/** A fresh Ed25519 key pair in `dir`, and tokens signed with it. */
export function createTestKeys(dir: string): TestKeys {
  const files = { privateKeyFile: join(dir, 'key'), publicKeyFile: join(dir, 'key.pub') };
  ensureSigningKeys(files);
  const privateKey = loadPrivateKey(files.privateKeyFile);
  const cache = new Map<Role, string>();
  return {
    files,
    privateKey,
    publicKey: loadPublicKey(files.publicKeyFile),
    token(role) {
      if (!cache.has(role))
        cache.set(role, issueToken(privateKey, { subject: `test-${role}`, role }));
      return cache.get(role)!;
    },
    userToken: (login, role) => issueToken(privateKey, { subject: login, role, kind: 'user' }),
  };
}

export interface JsonReply {
  status: number;
  body: any;
  headers: Headers;
}

/** `fetch` with a JSON body and a bearer token (null: anonymous), parsing a JSON answer. */
export async function callJson(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string | null,
): Promise<JsonReply> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
  return { status: res.status, body: parsed, headers: res.headers };
}
