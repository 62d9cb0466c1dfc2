import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createTokenVerifier,
  ensureSigningKeys,
  type IssueOptions,
  issueToken,
  loadPrivateKey,
  loadPublicKey,
  SCOPES_BY_ROLE,
  verifyToken,
} from './tokens.ts';

/** Any UTF-16 code unit, lone surrogates included (fast-check's 'binary' unit is slow). */
const utf16 = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const NOW = new Date('2030-01-01T00:00:00Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

const dir = mkdtempSync(join(tmpdir(), 'lanctl-auth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A token whose payload is `payload` verbatim, correctly signed: only the claims are wrong. */
function signed(payload: string): string {
  const body = `lanctl1.${Buffer.from(payload).toString('base64url')}`;
  return `${body}.${sign(null, Buffer.from(body), privateKey).toString('base64url')}`;
}

/** Replaces the character at `i` with a different base64url character. */
function flip(text: string, i: number): string {
  const c = text[i] === 'A' ? 'B' : 'A';
  return `${text.slice(0, i)}${c}${text.slice(i + 1)}`;
}

describe('issueToken / verifyToken', () => {
  it('round-trips the principal', () => {
    const token = issueToken(privateKey, { subject: 'dhcp', role: 'reader', now: NOW });
    expect(token).toMatch(/^lanctl1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const result = verifyToken(publicKey, token, at(1));
    expect(result).toEqual({
      ok: true,
      principal: {
        subject: 'dhcp',
        role: 'reader',
        scopes: SCOPES_BY_ROLE.reader,
        kind: 'service',
        tokenId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      },
      expiresAt: NOW.getTime() + 365 * 24 * 3600 * 1000,
    });
  });

  it('keeps explicit scopes and kind, and gives every token its own id', () => {
    const options: IssueOptions = {
      subject: 'alice',
      role: 'root',
      kind: 'user',
      scopes: ['read'],
      now: NOW,
    };
    const a = verifyToken(publicKey, issueToken(privateKey, options), NOW);
    const b = verifyToken(publicKey, issueToken(privateKey, options), NOW);
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(a.principal).toMatchObject({
      subject: 'alice',
      role: 'root',
      kind: 'user',
      scopes: ['read'],
    });
    expect(a.principal.tokenId).not.toBe(b.principal.tokenId);
  });

  it('expires at exp exactly, and is valid one second before', () => {
    const token = issueToken(privateKey, { subject: 's', role: 'orga', ttlSeconds: 60, now: NOW });
    expect(verifyToken(publicKey, token, at(59)).ok).toBe(true);
    expect(verifyToken(publicKey, token, at(60))).toEqual({ ok: false, reason: 'token expired' });
    expect(verifyToken(publicKey, token, at(3600))).toEqual({ ok: false, reason: 'token expired' });
  });

  it('lasts a year by default', () => {
    const token = issueToken(privateKey, { subject: 's', role: 'orga', now: NOW });
    expect(verifyToken(publicKey, token, at(365 * 24 * 3600 - 1)).ok).toBe(true);
    expect(verifyToken(publicKey, token, at(365 * 24 * 3600)).ok).toBe(false);
  });

  it('rejects a token signed by another key', () => {
    const token = issueToken(other.privateKey, { subject: 's', role: 'root', now: NOW });
    expect(verifyToken(publicKey, token, NOW)).toEqual({ ok: false, reason: 'bad signature' });
  });

  it('rejects a payload re-encoded with more privileges', () => {
    const token = issueToken(privateKey, { subject: 's', role: 'reader', now: NOW });
    const [prefix, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(
      JSON.stringify({ ...claims, role: 'root', scopes: ['read', 'write'] }),
    );
    const tampered = `${prefix}.${forged.toString('base64url')}.${signature}`;
    expect(verifyToken(publicKey, tampered, NOW)).toEqual({ ok: false, reason: 'bad signature' });
  });

  it('rejects any one-character change in the payload or the signature body', () => {
    const token = issueToken(privateKey, { subject: 's', role: 'reader', now: NOW });
    const [, payload, signature] = token.split('.') as [string, string, string];
    const payloadStart = 'lanctl1.'.length;
    const signatureStart = payloadStart + payload.length + 1;
    // The signature's last character carries padding bits, so only the others are checked here.
    const positions = fc.oneof(
      fc.integer({ min: payloadStart, max: signatureStart - 2 }),
      fc.integer({ min: signatureStart, max: signatureStart + signature.length - 2 }),
    );
    fc.assert(
      fc.property(positions, (i) => {
        expect(verifyToken(publicKey, flip(token, i), NOW).ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a truncated or extended signature', () => {
    const token = issueToken(privateKey, { subject: 's', role: 'reader', now: NOW });
    expect(verifyToken(publicKey, token.slice(0, -4), NOW).ok).toBe(false);
    expect(verifyToken(publicKey, `${token}AAAA`, NOW).ok).toBe(false);
    expect(verifyToken(publicKey, `${token.split('.').slice(0, 2).join('.')}.`, NOW).ok).toBe(
      false,
    );
  });

  // A leniently decoded signature would give one token several spellings, so a token string
  // could not serve as a unique key (e.g. in a deny list).
  it('accepts only the canonical encoding of the signature', () => {
    const token = issueToken(privateKey, { subject: 's', role: 'reader', now: NOW });
    const last = token.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const twin = alphabet[alphabet.indexOf(last) ^ 1]!;
    expect(verifyToken(publicKey, `${token.slice(0, -1)}${twin}`, NOW).ok).toBe(false);
  });

  it.each([
    ['not JSON', 'hello'],
    ['JSON but not an object', '[1,2]'],
    [
      'an unknown role',
      JSON.stringify({
        sub: 's',
        role: 'admin',
        scopes: [],
        kind: 'user',
        iat: 0,
        exp: 2e9,
        jti: 'j',
      }),
    ],
    [
      'a missing jti',
      JSON.stringify({ sub: 's', role: 'root', scopes: [], kind: 'user', iat: 0, exp: 2e9 }),
    ],
    [
      'an empty subject',
      JSON.stringify({
        sub: '',
        role: 'root',
        scopes: [],
        kind: 'user',
        iat: 0,
        exp: 2e9,
        jti: 'j',
      }),
    ],
    [
      'a string exp',
      JSON.stringify({
        sub: 's',
        role: 'root',
        scopes: [],
        kind: 'user',
        iat: 0,
        exp: '2e9',
        jti: 'j',
      }),
    ],
    [
      'a fractional exp',
      JSON.stringify({
        sub: 's',
        role: 'root',
        scopes: [],
        kind: 'user',
        iat: 0,
        exp: 2e9 + 0.5,
        jti: 'j',
      }),
    ],
  ])('rejects a correctly signed token with %s as malformed claims', (_what, payload) => {
    expect(verifyToken(publicKey, signed(payload), NOW)).toEqual({
      ok: false,
      reason: 'malformed claims',
    });
  });

  it.each([
    '',
    '.',
    '..',
    'lanctl1',
    'lanctl1.',
    'lanctl1..',
    'lanctl1.a.b.c',
    'lanctl2.eyJ9.AAAA',
    'LANCTL1.eyJ9.AAAA',
    'Bearer lanctl1.eyJ9.AAAA',
    'lanctl1.eyJ9.AAAA ',
    'lanctl1.\u0000.\u0000',
    'lanctl1.🙂.🙂',
    `lanctl1.${'A'.repeat(100_000)}.${'A'.repeat(86)}`,
  ])('rejects the malformed token %j without throwing', (token) => {
    const result = verifyToken(publicKey, token, NOW);
    expect(result.ok).toBe(false);
  });

  it('never throws on random strings and always answers {ok: false}', () => {
    const b64 = fc
      .array(
        fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/.'),
        {
          maxLength: 120,
        },
      )
      .map((c) => c.join(''));
    const shaped = fc.tuple(b64, b64).map(([p, s]) => `lanctl1.${p}.${s}`);
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: utf16, maxLength: 200 }), shaped), (token) => {
        const result = verifyToken(publicKey, token, NOW);
        expect(result.ok).toBe(false);
        if (!result.ok) expect(typeof result.reason).toBe('string');
      }),
      { numRuns: 1000 },
    );
  });
});

describe('createTokenVerifier', () => {
  it('answers like verifyToken, remembers only valid tokens, and still honours expiry', () => {
    const verify = createTokenVerifier(publicKey, 2);
    const short = issueToken(privateKey, {
      subject: 'a',
      role: 'reader',
      now: NOW,
      ttlSeconds: 10,
    });
    const first = verify(short, at(1));
    expect(first).toEqual(verifyToken(publicKey, short, at(1)));
    expect(verify(short, at(2))).toEqual(first);
    expect(verify(short, at(10))).toEqual({ ok: false, reason: 'token expired' });
    const forged = issueToken(other.privateKey, { subject: 'a', role: 'root', now: NOW });
    expect(verify(forged, at(1))).toEqual({ ok: false, reason: 'bad signature' });
    expect(verify(forged, at(1))).toEqual({ ok: false, reason: 'bad signature' });
    // Bounded: three valid tokens through a cache of two, each still verified correctly.
    const tokens = ['x', 'y', 'z'].map((subject) =>
      issueToken(privateKey, { subject, role: 'reader', now: NOW }),
    );
    for (const t of [...tokens, ...tokens]) {
      expect(verify(t, at(1))).toEqual(verifyToken(publicKey, t, at(1)));
    }
  });
});

describe('ensureSigningKeys', () => {
  const modeOf = (path: string) => statSync(path).mode & 0o777;

  it('creates the private key 0600 and the public key 0644, usable together', () => {
    const files = { privateKeyFile: join(dir, 'a.key'), publicKeyFile: join(dir, 'a.pub') };
    ensureSigningKeys(files);
    expect(modeOf(files.privateKeyFile)).toBe(0o600);
    expect(modeOf(files.publicKeyFile)).toBe(0o644);
    expect(readFileSync(files.privateKeyFile, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(readFileSync(files.publicKeyFile, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const token = issueToken(loadPrivateKey(files.privateKeyFile), { subject: 's', role: 'root' });
    expect(verifyToken(loadPublicKey(files.publicKeyFile), token).ok).toBe(true);
  });

  it('keeps existing keys (idempotent)', () => {
    const files = { privateKeyFile: join(dir, 'b.key'), publicKeyFile: join(dir, 'b.pub') };
    ensureSigningKeys(files);
    const before = [readFileSync(files.privateKeyFile), readFileSync(files.publicKeyFile)];
    ensureSigningKeys(files);
    ensureSigningKeys(files);
    expect(readFileSync(files.privateKeyFile).equals(before[0]!)).toBe(true);
    expect(readFileSync(files.publicKeyFile).equals(before[1]!)).toBe(true);
  });

  it('re-derives a missing public key from the existing private key', () => {
    const files = { privateKeyFile: join(dir, 'c.key'), publicKeyFile: join(dir, 'c.pub') };
    ensureSigningKeys(files);
    const pub = readFileSync(files.publicKeyFile, 'utf8');
    unlinkSync(files.publicKeyFile);
    ensureSigningKeys(files);
    expect(readFileSync(files.publicKeyFile, 'utf8')).toBe(pub);
    expect(modeOf(files.publicKeyFile)).toBe(0o644);
  });

  it('sets the modes exactly under a restrictive umask', () => {
    const files = { privateKeyFile: join(dir, 'd.key'), publicKeyFile: join(dir, 'd.pub') };
    const previous = process.umask(0o077);
    try {
      ensureSigningKeys(files);
    } finally {
      process.umask(previous);
    }
    expect(modeOf(files.privateKeyFile)).toBe(0o600);
    expect(modeOf(files.publicKeyFile)).toBe(0o644);
  });

  it('names the file it cannot read', () => {
    expect(() => loadPublicKey(join(dir, 'missing.pub'))).toThrow(/public key file .*missing\.pub/);
  });
});
