import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { unprocessable } from '@lanctl/core';

/**
 * SHA-512 crypt (`$6$`), as specified in Ulrich Drepper's "Unix crypt using SHA-256 and SHA-512"
 * and implemented by glibc and libxcrypt. Step numbers below are the specification's.
 */

/** The crypt base-64 alphabet, in encoding order (salts and digests use it). */
const B64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const ROUNDS_DEFAULT = 5000;
export const ROUNDS_MIN = 1000;
export const ROUNDS_MAX = 999_999_999;
export const SALT_MAX_LENGTH = 16;
/**
 * libxcrypt (the `crypt` of current distributions, PAM included) refuses longer passphrases
 * (`CRYPT_MAX_PASSPHRASE_SIZE` is 512 with the terminating NUL). The cost is quadratic in the
 * length (step 13 hashes the password `length` times), so a bound also keeps verification cheap.
 */
export const PASSWORD_MAX_BYTES = 511;

const SALT_RE = /^[./0-9A-Za-z]*$/;
const HASH_RE = /^\$6\$(?:rounds=([1-9][0-9]{0,8})\$)?([./0-9A-Za-z]{0,16})\$([./0-9A-Za-z]{86})$/;
/** A lone UTF-16 surrogate: it has no UTF-8 form (Buffer.from would turn it into U+FFFD). */
const LONE_SURROGATE = /\p{Cs}/u;

export interface HashOptions {
  /** Clamped to [1000, 999999999]; when given, `rounds=N$` is written even for 5000 (as glibc). */
  rounds?: number;
  /** Up to 16 characters of `./0-9A-Za-z` (longer salts are truncated); random by default. */
  salt?: string;
}

export interface CryptParams {
  rounds: number;
  salt: string;
}

/** `$6$[rounds=N$]salt$digest` for `password` (UTF-8). Throws on a password crypt(3) refuses. */
export function hashPassword(password: string, options: HashOptions = {}): string {
  const key = passwordBytes(password);
  if (key === null) {
    throw unprocessable(
      'password',
      `must be valid Unicode without NUL, at most ${PASSWORD_MAX_BYTES} UTF-8 bytes`,
    );
  }
  const salt = options.salt === undefined ? randomSalt() : options.salt.slice(0, SALT_MAX_LENGTH);
  if (salt.length === 0 || !SALT_RE.test(salt)) {
    throw unprocessable('salt', 'must be 1 to 16 characters from ./0-9A-Za-z');
  }
  let prefix = '$6$';
  let rounds = ROUNDS_DEFAULT;
  if (options.rounds !== undefined) {
    if (!Number.isSafeInteger(options.rounds)) throw unprocessable('rounds', 'must be an integer');
    rounds = Math.min(ROUNDS_MAX, Math.max(ROUNDS_MIN, options.rounds));
    prefix += `rounds=${rounds}$`;
  }
  return `${prefix}${salt}$${digest(key, Buffer.from(salt, 'latin1'), rounds)}`;
}

/**
 * Whether `password` matches a `$6$` hash. A malformed or non-canonical hash (one crypt(3)
 * would never produce: rounds out of range or with leading zeros, salt over 16 characters)
 * is a mismatch; never throws.
 */
export function verifyPassword(password: string, hash: string): boolean {
  if (typeof password !== 'string') return false;
  const parsed = parse(hash);
  const key = passwordBytes(password);
  if (parsed === null || key === null) return false;
  const actual = digest(key, Buffer.from(parsed.salt, 'latin1'), parsed.rounds);
  return timingSafeEqual(Buffer.from(actual, 'latin1'), Buffer.from(parsed.digest, 'latin1'));
}

/** The rounds and salt of a canonical `$6$` hash, or null. */
export function parseCryptHash(hash: string): CryptParams | null {
  const parsed = parse(hash);
  return parsed && { rounds: parsed.rounds, salt: parsed.salt };
}

function parse(hash: string): (CryptParams & { digest: string }) | null {
  const match = typeof hash === 'string' ? HASH_RE.exec(hash) : null;
  if (match === null) return null;
  const rounds = match[1] === undefined ? ROUNDS_DEFAULT : Number(match[1]);
  return rounds < ROUNDS_MIN ? null : { rounds, salt: match[2]!, digest: match[3]! };
}

function passwordBytes(password: string): Buffer | null {
  if (password.includes('\0') || LONE_SURROGATE.test(password)) return null;
  const bytes = Buffer.from(password, 'utf8');
  return bytes.length > PASSWORD_MAX_BYTES ? null : bytes;
}

function randomSalt(): string {
  // 256 is a multiple of 64, so masking keeps every character equally likely.
  return Array.from(randomBytes(SALT_MAX_LENGTH), (b) => B64[b & 0x3f]).join('');
}

const sha512 = (...parts: Buffer[]): Buffer => {
  const h = createHash('sha512');
  for (const part of parts) h.update(part);
  return h.digest();
};

/** The 86-character digest part: steps 1 to 22. */
function digest(key: Buffer, salt: Buffer, rounds: number): string {
  const n = key.length;
  const b = sha512(key, salt, key); // steps 4-8
  // Steps 1-3, 9-12: B repeated over the key's length, then B or the key per bit of the length.
  const a = createHash('sha512').update(key).update(salt).update(Buffer.alloc(n, b));
  for (let bits = n; bits > 0; bits >>= 1) a.update(bits & 1 ? b : key);
  let c = a.digest();
  const p = Buffer.alloc(n, sha512(Buffer.alloc(n * n, key))); // steps 13-16
  const s = Buffer.alloc(salt.length, sha512(Buffer.alloc(salt.length * (16 + c[0]!), salt))); // 17-20
  // Step 21. Each round's input is laid out in one reused buffer and hashed with one update.
  const scratch = Buffer.alloc(64 + s.length + 2 * n);
  for (let i = 0; i < rounds; i++) {
    const odd = (i & 1) === 1;
    let at = (odd ? p : c).copy(scratch, 0);
    if (i % 3 !== 0) at += s.copy(scratch, at);
    if (i % 7 !== 0) at += p.copy(scratch, at);
    at += (odd ? c : p).copy(scratch, at);
    c = createHash('sha512').update(scratch.subarray(0, at)).digest();
  }
  return encode(c);
}

/** Step 22: 21 groups of three bytes (a rotation of i, i+21, i+42), then byte 63 alone. */
function encode(c: Buffer): string {
  let out = '';
  for (let i = 0; i < 21; i++) {
    const t = [c[i]!, c[i + 21]!, c[i + 42]!];
    const r = i % 3; // group 0 starts at byte 0, group 1 at byte 22, group 2 at byte 44...
    out += b64(t[r]!, t[(r + 1) % 3]!, t[(r + 2) % 3]!, 4);
  }
  return out + b64(0, 0, c[63]!, 2);
}

/** `count` characters of the 24-bit word `hi mid lo`, least significant six bits first. */
function b64(hi: number, mid: number, lo: number, count: number): string {
  let w = (hi << 16) | (mid << 8) | lo;
  let out = '';
  for (let k = 0; k < count; k++, w >>= 6) out += B64[w & 0x3f];
  return out;
}
