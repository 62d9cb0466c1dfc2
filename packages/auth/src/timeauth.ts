import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * SADM's timeauth (`prologin/timeauth.py`): `"<unix_ts>:" + hex(HMAC-SHA256(secret,
 * str(message) + str(ts)))`. The token functions are pure; the clock is a parameter whose
 * default is the only read of it.
 */

export const TIMEAUTH_MAX_AGE_SECONDS = 120;
/** SADM accepts any future timestamp; we accept clocks up to this far ahead. */
export const TIMEAUTH_MAX_FUTURE_SKEW_SECONDS = 30;

export type TimeauthSecret = string | Buffer;

export interface TimeauthCheckOptions {
  /** Milliseconds since the epoch, as `Date.now()`. */
  now?: number;
  maxAgeSeconds?: number;
  maxFutureSkewSeconds?: number;
}

export type TimeauthResult = { ok: true } | { ok: false; reason: string };
export type TimeauthDecoded =
  | { ok: true; ts: number; tsText: string; mac: string }
  | { ok: false; reason: string };

const TS_RE = /^-?[0-9]+$/;
const MAC_RE = /^[0-9a-f]{64}$/;

/** `"<unix_ts>:<hex>"` for `message` at `now` (ms; the timestamp is whole seconds). */
export function generateTimeauthToken(
  secret: TimeauthSecret,
  message: unknown,
  now = Date.now(),
): string {
  const text = pythonStr(message);
  if (text === null) throw new TypeError(`timeauth: cannot stringify a ${typeof message} message`);
  if (!isAscii(text)) throw new TypeError('timeauth: the message must be ASCII (as in SADM)');
  const ts = String(Math.floor(now / 1000));
  return encodeTimeauthToken(ts, mac(secret, text, ts));
}

/** Checks format, age (`now - ts > maxAge` fails, as SADM), future skew and MAC; never throws. */
export function checkTimeauthToken(
  secret: TimeauthSecret,
  token: unknown,
  message: unknown,
  options: TimeauthCheckOptions = {},
): TimeauthResult {
  const {
    now = Date.now(),
    maxAgeSeconds = TIMEAUTH_MAX_AGE_SECONDS,
    maxFutureSkewSeconds = TIMEAUTH_MAX_FUTURE_SKEW_SECONDS,
  } = options;
  const decoded = decodeTimeauthToken(token);
  if (!decoded.ok) return decoded;
  const age = now / 1000 - decoded.ts; // SADM compares with the fractional time.time()
  if (!(age <= maxAgeSeconds)) return { ok: false, reason: 'token expired' };
  if (!(-age <= maxFutureSkewSeconds)) return { ok: false, reason: 'token from the future' };
  const text = pythonStr(message);
  if (text === null || !isAscii(text)) return { ok: false, reason: 'unsupported message' };
  let expected: string;
  try {
    expected = mac(secret, text, decoded.tsText);
  } catch {
    return { ok: false, reason: 'unusable secret' };
  }
  const equal = timingSafeEqual(
    Buffer.from(expected, 'latin1'),
    Buffer.from(decoded.mac, 'latin1'),
  );
  return equal ? { ok: true } : { ok: false, reason: 'bad signature' };
}

/**
 * Splits a token into its timestamp and lower-case hex MAC. As in SADM, the MAC covers the
 * timestamp's text as sent (`0042` signs differently from `42`); unlike Python's `int()`, only
 * `-?[0-9]+` is a timestamp (no spaces, `+` or `_`).
 */
export function decodeTimeauthToken(token: unknown): TimeauthDecoded {
  if (typeof token !== 'string') return { ok: false, reason: 'malformed token' };
  const parts = token.split(':');
  if (parts.length !== 2) return { ok: false, reason: 'malformed token' };
  const [tsText, hex] = parts as [string, string];
  const ts = TS_RE.test(tsText) ? Number(tsText) : Number.NaN;
  if (!Number.isSafeInteger(ts)) return { ok: false, reason: 'malformed timestamp' };
  if (!MAC_RE.test(hex)) return { ok: false, reason: 'malformed signature' };
  return { ok: true, ts, tsText, mac: hex };
}

export function encodeTimeauthToken(tsText: string, hex: string): string {
  return `${tsText}:${hex}`;
}

/** The secret in `path`, without one trailing newline; throws naming the path otherwise. */
export function readSecretFile(path: string): Buffer {
  let content: Buffer;
  try {
    content = readFileSync(path);
  } catch (e) {
    throw new Error(`cannot read the secret file ${path}: ${(e as Error).message}`, { cause: e });
  }
  const end = content.at(-1) === 0x0a ? (content.at(-2) === 0x0d ? -2 : -1) : content.length;
  const secret = content.subarray(0, end);
  if (secret.length === 0) throw new Error(`the secret file ${path} is empty`);
  return secret;
}

function mac(secret: TimeauthSecret, text: string, tsText: string): string {
  return createHmac('sha256', secret).update(`${text}${tsText}`, 'latin1').digest('hex');
}

/** Python's `str()` for the values SADM signs: None, str, int, bool; null otherwise. */
function pythonStr(message: unknown): string | null {
  if (message === null || message === undefined) return 'None';
  if (typeof message === 'string') return message;
  if (typeof message === 'bigint') return message.toString();
  if (typeof message === 'boolean') return message ? 'True' : 'False';
  if (typeof message === 'number' && Number.isSafeInteger(message)) return String(message);
  return null;
}

const isAscii = (text: string): boolean => /^\p{ASCII}*$/u.test(text);
