import { LOGIN_PATTERN } from '@lanctl/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveLogin, loginCandidates, titleCase, uniqueLogin } from './login.ts';

describe('deriveLogin', () => {
  it.each([
    ['Jean-Pierre', 'De La Tour', 'jpdelatour'],
    ['Jean', 'Dupont', 'jdupont'],
    ['Élodie', 'Müller', 'emuller'],
    ['ÉLODIE', 'ÇAĞLAR', 'ecaglar'],
    ['Anne Marie', "O'Neil", 'amoneil'],
    ['Jean', 'Abcdefghijklmnop', 'jabcdefghij'],
    ['jean3pierre', 'x', 'jpx'],
    ['Ｊｅａｎ', 'Ｄｕｐｏｎｔ', 'jdupont'], // NFKD folds full-width letters
    ['Søren', 'Ødegård', 'sdegard'], // ø has no decomposition: dropped, as in SADM
    ['', 'Dupont', 'dupont'],
    ['Jean', '', 'j'],
  ])('%j %j → %j', (first, last, login) => {
    expect(deriveLogin(first, last)).toBe(login);
  });

  it.each([
    ['', ''],
    ['李', '小龙'],
    ['123', '456'],
    ['-', "'"],
  ])('%j %j → null', (first, last) => {
    expect(deriveLogin(first, last)).toBeNull();
  });

  it('gives null rather than a login longer than 31 characters', () => {
    const first = Array.from({ length: 26 }, () => 'a').join(' ');
    expect(deriveLogin(first, 'Dupont')).toBeNull();
    expect(deriveLogin(Array.from({ length: 21 }, () => 'a').join(' '), 'Dupont')).toBe(
      `${'a'.repeat(21)}dupont`,
    );
  });

  it('is null or a valid login for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.string(), (first, last) => {
        const login = deriveLogin(first, last);
        if (login !== null) expect(login).toMatch(LOGIN_PATTERN);
      }),
    );
  });
});

describe('loginCandidates / uniqueLogin', () => {
  const take = (n: number, base: string) => {
    const out: string[] = [];
    for (const c of loginCandidates(base)) {
      if (out.push(c) >= n) break;
    }
    return out;
  };

  it('appends 1, 2, 3…', () => {
    expect(take(4, 'jdupont')).toEqual(['jdupont', 'jdupont1', 'jdupont2', 'jdupont3']);
  });

  it('shortens the base, never the number, to stay within 31 characters', () => {
    const base = 'a'.repeat(31);
    const [first, second, , , , , , , , , tenth] = take(11, base);
    expect(first).toBe(base);
    expect(second).toBe(`${'a'.repeat(30)}1`);
    expect(tenth).toBe(`${'a'.repeat(29)}10`);
  });

  it('returns the base when it is free', () => {
    expect(uniqueLogin('jdupont', () => false)).toBe('jdupont');
  });

  it('skips taken logins, checking every candidate against the whole taken set', () => {
    const taken = new Set(['jdupont', 'jdupont1', 'jdupont3']);
    expect(uniqueLogin('jdupont', (l) => taken.has(l))).toBe('jdupont2');
  });

  it('never produces root', () => {
    expect(uniqueLogin('root', () => false)).toBe('root1');
  });

  it('refuses a base that cannot start a login', () => {
    expect(() => uniqueLogin('', () => false)).toThrow(TypeError);
    expect(() => uniqueLogin('9lives', () => false)).toThrow(TypeError);
  });

  it('gives up on a taken() that takes everything', () => {
    expect(() => uniqueLogin('a', () => true)).toThrow(RangeError);
  });

  it('always answers a valid, free login of at most 31 characters', () => {
    const base = fc.stringMatching(/^[a-z_][a-z0-9_]{0,40}$/);
    fc.assert(
      fc.property(base, fc.array(fc.nat(40)), (b, takenSuffixes) => {
        const taken = new Set(takenSuffixes.map((n) => take(n + 1, b).at(-1)));
        const login = uniqueLogin(b, (l) => taken.has(l));
        expect(login).toMatch(LOGIN_PATTERN);
        expect(taken.has(login)).toBe(false);
        expect(login).not.toBe('root');
      }),
    );
  });
});

describe('titleCase', () => {
  it.each([
    ['jean-pierre DE la tour', 'Jean-Pierre De La Tour'],
    ["o'neil", "O'Neil"],
    ["d'ARTAGNAN", "D'Artagnan"],
    ['o’neil', 'O’Neil'],
    ["jean's", "Jean's"],
    ['élodie ÇAĞLAR', 'Élodie Çağlar'],
    ['  jean   pierre\t', 'Jean Pierre'],
    ['3rd', '3rd'],
    ['MCDONALD', 'Mcdonald'],
    ['ßtraße', 'ßtraße'],
    ['', ''],
  ])('%j → %j', (input, output) => {
    expect(titleCase(input)).toBe(output);
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 30 }), (s) => {
        const once = titleCase(s);
        expect(titleCase(once)).toBe(once);
      }),
    );
  });
});
