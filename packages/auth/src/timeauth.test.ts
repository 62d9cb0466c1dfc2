import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkTimeauthToken,
  decodeTimeauthToken,
  encodeTimeauthToken,
  generateTimeauthToken,
  readSecretFile,
} from './timeauth.ts';

const T = 1_900_000_000; // seconds
const at = (seconds: number) => (T + seconds) * 1000;
const SECRET = Buffer.from('s3cr3t-shared-by-mdb-and-its-clients');

const dir = mkdtempSync(join(tmpdir(), 'lanctl-timeauth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface PyCase {
  secret: string; // hex
  message: string | number | boolean | null;
  ts: string; // the timestamp text, as SADM signs it
}

/** SADM's generate_token, written independently with Python's hmac, for every case at once. */
function pythonTokens(cases: PyCase[]): string[] {
  const script = [
    'import hashlib, hmac, json, sys',
    'out = []',
    'for c in json.load(sys.stdin):',
    '    msg = (str(c["message"]) + c["ts"]).encode("ascii")',
    '    mac = hmac.new(bytes.fromhex(c["secret"]), msg, digestmod=hashlib.sha256).hexdigest()',
    '    out.append(c["ts"] + ":" + mac)',
    'print(json.dumps(out))',
  ].join('\n');
  const out = execFileSync('python3', ['-c', script], { input: JSON.stringify(cases) });
  return JSON.parse(out.toString()) as string[];
}

const SECRETS: Buffer[] = [
  SECRET,
  Buffer.from([0, 1, 2, 0xfe, 0xff]),
  Buffer.alloc(200, 0xab), // longer than the SHA-256 block: HMAC hashes the key first
  Buffer.from('é-utf8-secret'),
];
const MESSAGES: (string | number | boolean | null)[] = [
  null,
  '',
  'None',
  'hello',
  '{"hostname": "r00p01", "mac": "aa:bb:cc:dd:ee:ff"}',
  '{"name": "caf\\u00e9"}',
  42,
  -7,
  true,
  false,
];

describe('generateTimeauthToken', () => {
  it("matches SADM's token computed with Python's hmac", () => {
    const cases: PyCase[] = [];
    const ours: string[] = [];
    SECRETS.forEach((secret, i) => {
      for (const message of MESSAGES) {
        const now = at(i * 1000) + 999; // the timestamp is the whole second
        cases.push({ secret: secret.toString('hex'), message, ts: String(T + i * 1000) });
        ours.push(generateTimeauthToken(secret, message, now));
      }
    });
    expect(ours).toEqual(pythonTokens(cases));
    expect(ours[0]).toMatch(/^1900000000:[0-9a-f]{64}$/);
  });

  it('signs undefined like null, as str(None), and a string secret as its UTF-8 bytes', () => {
    const none = generateTimeauthToken(SECRET, null, at(0));
    expect(generateTimeauthToken(SECRET, undefined, at(0))).toBe(none);
    expect(generateTimeauthToken(SECRET, 'None', at(0))).toBe(none); // as in SADM
    expect(generateTimeauthToken('é-utf8-secret', 'x', at(0))).toBe(
      generateTimeauthToken(Buffer.from('é-utf8-secret'), 'x', at(0)),
    );
    expect(generateTimeauthToken(SECRET, 10n ** 30n, at(0))).toBe(
      generateTimeauthToken(SECRET, `1${'0'.repeat(30)}`, at(0)),
    );
  });

  it('refuses messages SADM could not sign the same way', () => {
    for (const message of ['café', 1.5, Number.NaN, {}, [], Symbol('x')]) {
      expect(() => generateTimeauthToken(SECRET, message, at(0))).toThrow(TypeError);
    }
  });
});

describe('checkTimeauthToken', () => {
  const token = generateTimeauthToken(SECRET, 'body', at(0));
  const check = (t: unknown, seconds: number, message: unknown = 'body') =>
    checkTimeauthToken(SECRET, t, message, { now: at(seconds) });

  it('accepts our tokens and the ones Python makes, leading zeros included', () => {
    expect(check(token, 0)).toEqual({ ok: true });
    const [python, padded] = pythonTokens([
      { secret: SECRET.toString('hex'), message: null, ts: String(T) },
      { secret: SECRET.toString('hex'), message: null, ts: `00${T}` },
    ]);
    expect(check(python, 5, null)).toEqual({ ok: true });
    expect(check(padded, 5, null)).toEqual({ ok: true }); // SADM signs the timestamp's text
    expect(check(`${T}:${padded!.split(':')[1]}`, 5, null).ok).toBe(false);
  });

  it('expires after 120 seconds, as SADM (now - ts > 120, with fractional now)', () => {
    expect(check(token, 120)).toEqual({ ok: true });
    expect(check(token, 120.001)).toEqual({ ok: false, reason: 'token expired' });
    expect(check(token, 121)).toEqual({ ok: false, reason: 'token expired' });
    const long = { now: at(600), maxAgeSeconds: 600 };
    expect(checkTimeauthToken(SECRET, token, 'body', long)).toEqual({ ok: true });
  });

  it('rejects timestamps more than 30 seconds in the future (SADM accepted any)', () => {
    expect(check(token, -30)).toEqual({ ok: true });
    expect(check(token, -30.001)).toEqual({ ok: false, reason: 'token from the future' });
    expect(check(token, -3600)).toEqual({ ok: false, reason: 'token from the future' });
    const loose = { now: at(-300), maxFutureSkewSeconds: 300 };
    expect(checkTimeauthToken(SECRET, token, 'body', loose)).toEqual({ ok: true });
  });

  it('rejects another message, secret or time', () => {
    expect(check(token, 0, 'Body')).toEqual({ ok: false, reason: 'bad signature' });
    expect(check(token, 0, null)).toEqual({ ok: false, reason: 'bad signature' });
    expect(checkTimeauthToken('other', token, 'body', { now: at(0) }).ok).toBe(false);
    const [, hex] = token.split(':');
    expect(check(`${T + 1}:${hex}`, 0)).toEqual({ ok: false, reason: 'bad signature' });
  });

  it('rejects malformed tokens', () => {
    const [ts, hex] = token.split(':') as [string, string];
    const flipped = `${hex.slice(0, -1)}${hex.endsWith('0') ? '1' : '0'}`;
    const cases: [unknown, string][] = [
      [hex, 'malformed token'],
      [`${ts}:${hex}:`, 'malformed token'],
      [`${ts}:${hex}:${hex}`, 'malformed token'],
      ['', 'malformed token'],
      [undefined, 'malformed token'],
      [null, 'malformed token'],
      [Number(ts), 'malformed token'],
      [`:${hex}`, 'malformed timestamp'],
      [`abc:${hex}`, 'malformed timestamp'],
      [`${ts}.0:${hex}`, 'malformed timestamp'],
      [` ${ts}:${hex}`, 'malformed timestamp'],
      [`+${ts}:${hex}`, 'malformed timestamp'],
      [`1_900_000_000:${hex}`, 'malformed timestamp'],
      [`${'9'.repeat(400)}:${hex}`, 'malformed timestamp'],
      [`${ts}:`, 'malformed signature'],
      [`${ts}:${hex.toUpperCase()}`, 'malformed signature'],
      [`${ts}:${hex.slice(1)}`, 'malformed signature'],
      [`${ts}:${hex}0`, 'malformed signature'],
      [`${ts}:${hex} `, 'malformed signature'],
      [`${ts}:${flipped}`, 'bad signature'],
    ];
    for (const [bad, reason] of cases) expect(check(bad, 0)).toEqual({ ok: false, reason });
  });

  it('reports unsupported messages instead of throwing', () => {
    for (const message of ['café', 0.5, {}]) {
      expect(check(token, 0, message)).toEqual({ ok: false, reason: 'unsupported message' });
    }
  });

  it('never throws on arbitrary tokens, and accepts none of them (fuzz)', () => {
    const shaped = fc
      .tuple(fc.integer({ min: T - 200, max: T + 200 }), fc.stringMatching(/^[0-9a-f]{64}$/))
      .map(([t, h]) => `${t}:${h}`);
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), shaped, fc.anything()), (junk) => {
        const result = check(junk, 0);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it('decodes what it encodes (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
        fc.stringMatching(/^[0-9a-f]{64}$/),
        (ts, mac) => {
          const tsText = String(ts);
          expect(decodeTimeauthToken(encodeTimeauthToken(tsText, mac))).toEqual({
            ok: true,
            ts,
            tsText,
            mac,
          });
        },
      ),
    );
  });
});

describe('readSecretFile', () => {
  const write = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('drops one trailing newline and keeps every other byte', () => {
    expect(readSecretFile(write('plain', 'abc'))).toEqual(Buffer.from('abc'));
    expect(readSecretFile(write('lf', 'abc\n'))).toEqual(Buffer.from('abc'));
    expect(readSecretFile(write('crlf', 'abc\r\n'))).toEqual(Buffer.from('abc'));
    expect(readSecretFile(write('two', 'abc\n\n'))).toEqual(Buffer.from('abc\n'));
    expect(readSecretFile(write('spaces', ' abc \n'))).toEqual(Buffer.from(' abc '));
    const binary = Buffer.from([0, 0xff, 0x0a, 0x80]);
    expect(readSecretFile(write('binary', binary))).toEqual(binary);
  });

  it('names the path when the file is missing or empty', () => {
    const missing = join(dir, 'missing');
    expect(() => readSecretFile(missing)).toThrow(missing);
    expect(() => readSecretFile(dir)).toThrow(dir);
    const empty = write('empty', '\n');
    expect(() => readSecretFile(empty)).toThrow(`the secret file ${empty} is empty`);
  });
});
