import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  hashPassword,
  PASSWORD_MAX_BYTES,
  parseCryptHash,
  verifyPassword,
} from './sha512-crypt.ts';

// The SHA-512 test list of "Unix crypt using SHA-256 and SHA-512": [setting, key, crypt output].
const SPEC_VECTORS: [string, string, string][] = [
  [
    '$6$saltstring',
    'Hello world!',
    '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
  ],
  [
    '$6$rounds=10000$saltstringsaltstring',
    'Hello world!',
    '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.',
  ],
  [
    '$6$rounds=5000$toolongsaltstring',
    'This is just a test',
    '$6$rounds=5000$toolongsaltstrin$lQ8jolhgVRVhY4b5pZKaysCLi0QBxGoNeKQzQ3glMhwllF7oGDZxUhx1yxdYcz/e1JSbq3y6JMxxl8audkUEm0',
  ],
  [
    '$6$rounds=1400$anotherlongsaltstring',
    'a very much longer text to encrypt.  This one even stretches over morethan one line.',
    '$6$rounds=1400$anotherlongsalts$POfYwTEok97VWcjxIiSOjiykti.o/pQs.wPvMxQ6Fm7I6IoYN3CmLs66x9t0oSwbtEW7o7UmJEiDwGqd8p4ur1',
  ],
  [
    '$6$rounds=77777$short',
    'we have a short salt string but not a short password',
    '$6$rounds=77777$short$WuQyW2YR.hBNpjjRhpYD/ifIw05xdfeEyQoMxIXbkvr0gge1a1x3yRULJ5CCaUeOxFmtlcGZelFl5CxtgfiAc0',
  ],
  [
    '$6$rounds=123456$asaltof16chars..',
    'a short string',
    '$6$rounds=123456$asaltof16chars..$BtCwjqMJGx5hrJhZywWvt0RLE8uZ4oPwcelCjmw2kSYu.Ec6ycULevoBK25fs2xXgMNrCzIMVcgEJAstJeonj1',
  ],
  [
    '$6$rounds=10$roundstoolow',
    'the minimum number is still observed',
    '$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX.',
  ],
];

const HASH_SHAPE = /^\$6\$(rounds=[0-9]+\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{86}$/;

/** `$6$[rounds=N$]salt` → hashPassword options, as crypt(3) reads a setting. */
function optionsOf(setting: string): { rounds?: number; salt: string } {
  const m = /^\$6\$(?:rounds=(\d+)\$)?(.*)$/.exec(setting)!;
  return { ...(m[1] === undefined ? {} : { rounds: Number(m[1]) }), salt: m[2]! };
}

/** Printable ASCII and non-ASCII (accents, CJK, emoji with surrogate pairs); no NUL or newline. */
const passwordChar = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('é', 'ß', 'ü', 'ñ', '€', '日', '本', '語', '🔑', '👍🏽', '\u00a0'),
  fc.integer({ min: 0xa1, max: 0xd7ff }).map((c) => String.fromCharCode(c)),
);
const FIXED = ['', 'é', 'ß', '日本', '🔑', 'pässwörd 日本 🔑', ' leading and trailing '];
const PASSWORDS = [
  ...FIXED,
  ...fc.sample(fc.string({ unit: passwordChar, maxLength: 40 }), {
    numRuns: 100 - FIXED.length,
    seed: 6,
  }),
];
/** Default rounds, 1000, an explicit 5000 and odd counts in turn. */
const roundsFor = (i: number): number | undefined => [undefined, 1000, 5000, 1000 + 37 * i][i % 4];

interface PythonResult {
  verified: boolean[];
  made: string[];
}

/** One Python process: checks `verify` pairs with crypt.crypt and hashes `make` pairs. */
function python(verify: [string, string][], make: [string, number | null][]): PythonResult {
  const script = [
    'import crypt, json, sys',
    'job = json.load(sys.stdin)',
    'verified = [crypt.crypt(pw, h) == h for pw, h in job["verify"]]',
    'made = [crypt.crypt(pw, crypt.mksalt(crypt.METHOD_SHA512, rounds=r)) for pw, r in job["make"]]',
    'print(json.dumps({"verified": verified, "made": made}))',
  ].join('\n');
  const out = execFileSync('python3', ['-W', 'ignore', '-c', script], {
    input: JSON.stringify({ verify, make }),
  });
  return JSON.parse(out.toString()) as PythonResult;
}

function openssl(password: string, salt?: string): string {
  const args = ['passwd', '-6', ...(salt === undefined ? [] : ['-salt', salt]), '-stdin'];
  return execFileSync('openssl', args, { input: `${password}\n` })
    .toString()
    .trim();
}

describe('hashPassword', () => {
  it.each(SPEC_VECTORS)('matches the specification for %s', (setting, key, expected) => {
    expect(hashPassword(key, optionsOf(setting))).toBe(expected);
    expect(verifyPassword(key, expected)).toBe(true);
  });

  it('makes a 16-character random salt and omits the default rounds', () => {
    const hashes = Array.from({ length: 20 }, () => hashPassword('secret'));
    for (const hash of hashes) {
      expect(hash).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
      expect(verifyPassword('secret', hash)).toBe(true);
    }
    expect(new Set(hashes.map((h) => parseCryptHash(h)!.salt)).size).toBe(hashes.length);
  });

  it('writes explicit rounds, clamped to at least 1000, and truncates the salt to 16', () => {
    expect(hashPassword('x', { rounds: 5000, salt: 'ab' })).toMatch(/^\$6\$rounds=5000\$ab\$/);
    expect(hashPassword('x', { rounds: -3, salt: 'ab' })).toMatch(/^\$6\$rounds=1000\$ab\$/);
    expect(hashPassword('x', { salt: 'abcdefghijklmnopqrstuvwxyz' })).toMatch(
      /^\$6\$abcdefghijklmnop\$/,
    );
  });

  it('refuses salts, rounds and passwords crypt(3) would not take', () => {
    for (const salt of ['', 'a$b', 'a:b', 'sé', 'a b']) {
      expect(() => hashPassword('x', { salt })).toThrow(/salt/);
    }
    for (const rounds of [1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => hashPassword('x', { rounds })).toThrow(/rounds/);
    }
    for (const password of ['a\0b', '\ud800', 'x\udc00y', 'é'.repeat(256)]) {
      expect(() => hashPassword(password, { salt: 'ab' })).toThrow(/password/);
    }
    expect(() => hashPassword('a'.repeat(PASSWORD_MAX_BYTES), { salt: 'ab' })).not.toThrow();
  });
});

describe('verifyPassword', () => {
  const good = SPEC_VECTORS[0]![2];

  it('rejects a wrong password', () => {
    expect(verifyPassword('Hello world', good)).toBe(false);
    expect(verifyPassword('hello world!', good)).toBe(false);
    expect(verifyPassword('', good)).toBe(false);
  });

  it('rejects hashes crypt(3) would never write', () => {
    const digest = good.split('$')[3]!;
    for (const hash of [
      '',
      '$6$',
      '$6$saltstring',
      `$5$saltstring$${digest}`,
      `$6$saltstring$${digest.slice(1)}`,
      `$6$saltstring$${digest}x`,
      `$6$saltstring$${digest}\n`,
      `$6$rounds=5000$saltstring$${digest.slice(0, -1)}0`,
      `$6$rounds=10$saltstring$${digest}`,
      `$6$rounds=05000$saltstring$${digest}`,
      `$6$rounds=1000000000$saltstring$${digest}`,
      `$6$rounds=$saltstring$${digest}`,
      `$6$saltstringsaltstring$${digest}`,
      `$6$salt:tring$${digest}`,
    ]) {
      expect(verifyPassword('Hello world!', hash)).toBe(false);
    }
  });

  it('verifies an empty salt, which libxcrypt writes for the setting `$6$`', () => {
    const hash =
      '$6$$KvRrc0bxRLyTUhO8OJOmRczh7oCol5BACiR8rmdfVzvuGgm8JmLDumsL/ah.jFtT.DswxoP9Nv3ByfU4j5hm/0';
    expect(verifyPassword('x', hash)).toBe(true);
    expect(verifyPassword('y', hash)).toBe(false);
  });

  it('accepts an explicit rounds=5000 as the same digest', () => {
    expect(verifyPassword('Hello world!', good.replace('$6$', '$6$rounds=5000$'))).toBe(true);
    expect(parseCryptHash(good)).toEqual({ rounds: 5000, salt: 'saltstring' });
  });

  it('never throws on arbitrary hashes or non-string input (fuzz)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.string(), (hash, pw) => {
        expect(verifyPassword(pw, hash)).toBe(false);
        expect(parseCryptHash(hash)).toBeNull();
      }),
      { numRuns: 2000 },
    );
    expect(verifyPassword(undefined as unknown as string, good)).toBe(false);
    expect(verifyPassword('x', null as unknown as string)).toBe(false);
    expect(parseCryptHash(42 as unknown as string)).toBeNull();
  });

  it('rejects every single-character change of a valid hash (fuzz)', () => {
    const hash = hashPassword('pw', { rounds: 1000, salt: 'fuzzsalt' });
    fc.assert(
      fc.property(
        fc.nat({ max: hash.length - 1 }),
        fc.oneof(
          fc.constantFrom(...'./09AZaz$=r'),
          fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
        ),
        (i, c) => {
          fc.pre(hash[i] !== c);
          expect(verifyPassword('pw', hash.slice(0, i) + c + hash.slice(i + 1))).toBe(false);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('interoperability with libcrypt (Python) and OpenSSL', () => {
  const ours = PASSWORDS.map((pw, i) => hashPassword(pw, { rounds: roundsFor(i) }));

  it('uses printable ASCII and non-ASCII passwords', () => {
    expect(PASSWORDS).toHaveLength(100);
    expect(PASSWORDS.filter((pw) => /[^\x20-\x7e]/.test(pw)).length).toBeGreaterThan(30);
    expect(PASSWORDS.filter((pw) => /^[\x20-\x7e]+$/.test(pw)).length).toBeGreaterThan(3);
  });

  it("our 100 hashes verify with Python's crypt, and Python's with verifyPassword", () => {
    const make = PASSWORDS.map((pw, i): [string, number | null] => [pw, roundsFor(i) ?? null]);
    const result = python(
      PASSWORDS.map((pw, i) => [pw, ours[i]!]),
      make,
    );
    expect(result.verified).toEqual(PASSWORDS.map(() => true));
    result.made.forEach((hash, i) => {
      expect(hash).toMatch(HASH_SHAPE);
      expect(verifyPassword(PASSWORDS[i]!, hash)).toBe(true);
      expect(verifyPassword(`${PASSWORDS[i]!}x`, hash)).toBe(false);
    });
  });

  it('our hashes match `openssl passwd -6`', () => {
    // openssl reads the password as one line of stdin: no empty ones, and a few dozen calls.
    const picked = PASSWORDS.map((pw, i) => ({ pw, hash: ours[i]! }))
      .filter(({ pw }) => pw.length > 0)
      .slice(0, 36);
    for (const { pw, hash } of picked) {
      const { rounds, salt } = parseCryptHash(hash)!;
      const explicit = hash.startsWith('$6$rounds=');
      expect(openssl(pw, explicit ? `rounds=${rounds}$${salt}` : salt)).toBe(hash);
    }
  });

  it('hashes made by openssl verify with verifyPassword', () => {
    for (const pw of PASSWORDS.filter((p) => p.length > 0).slice(0, 12)) {
      const hash = openssl(pw);
      expect(hash).toMatch(HASH_SHAPE);
      expect(verifyPassword(pw, hash)).toBe(true);
      expect(verifyPassword(`${pw}!`, hash)).toBe(false);
    }
  });
});
