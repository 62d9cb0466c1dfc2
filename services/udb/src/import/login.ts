import { LOGIN_PATTERN } from '@lanctl/model';

/** LOGIN_PATTERN's bound: one leading character and up to 30 more. */
export const MAX_LOGIN_LENGTH = 31;
/** SADM keeps at most this many letters of the last name. */
const LAST_NAME_LETTERS = 10;
/** `uniqueLogin` gives up after this many candidates (a `taken` that says yes to everything). */
const MAX_CANDIDATES = 1_000_000;

/** SADM's folding: NFKD, drop everything that is not ASCII (accents, ß, Ø…), lower-case. */
function foldAscii(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[^\p{ASCII}]/gu, '')
    .toLowerCase();
}

/**
 * SADM batchimport's login rule: the first letter of every `[a-z]+` chunk of the folded first
 * name, then the folded last name's letters, at most 10 ("Jean-Pierre", "De La Tour" →
 * `jpdelatour`). `null` when that is not a valid login (no letters at all, or too long).
 */
export function deriveLogin(firstname: string, lastname: string): string | null {
  const chunks = foldAscii(firstname).match(/[a-z]+/g) ?? [];
  const initials = chunks.map((chunk) => chunk[0]).join('');
  const last = foldAscii(lastname)
    .replace(/[^a-z]/g, '')
    .slice(0, LAST_NAME_LETTERS);
  const login = initials + last;
  return LOGIN_PATTERN.test(login) ? login : null;
}

/**
 * The logins tried for `base`, in order: `base`, then `base1`, `base2`… each cut to 31 characters
 * by shortening the base, never the number. Infinite; the caller stops.
 */
export function* loginCandidates(base: string): Generator<string> {
  yield base.slice(0, MAX_LOGIN_LENGTH);
  for (let n = 1; ; n++) {
    const suffix = String(n);
    yield base.slice(0, MAX_LOGIN_LENGTH - suffix.length) + suffix;
  }
}

/**
 * The first of `loginCandidates(base)` that is not `root` and not `taken`. `taken` must cover the
 * database *and* the logins already handed out in this run (SADM only checked the run).
 * Throws a TypeError on a base that cannot start a login, and a RangeError if a million
 * candidates are all taken (only a `taken` that accepts everything gets there).
 */
export function uniqueLogin(base: string, taken: (login: string) => boolean): string {
  if (!LOGIN_PATTERN.test(base.slice(0, MAX_LOGIN_LENGTH))) {
    throw new TypeError(`uniqueLogin: ${JSON.stringify(base)} is not a valid login base`);
  }
  let tried = 0;
  for (const candidate of loginCandidates(base)) {
    if (candidate !== 'root' && !taken(candidate)) return candidate;
    if (++tried >= MAX_CANDIDATES) break;
  }
  throw new RangeError(`uniqueLogin: no free login for ${JSON.stringify(base)}`);
}

const WORD = /([\p{L}\p{M}\p{N}]+)/u;
const APOSTROPHE = /['’ʼ]$/u;

function capitalise(word: string): string {
  const [first = '', ...rest] = [...word];
  const upper = first.toUpperCase();
  // A first letter whose capital is two letters (ß → SS) stays as it is.
  return ([...upper].length === 1 ? upper : first) + rest.join('').toLowerCase();
}

/**
 * Names as SADM stores them (Python's `str.title()`): every run of letters/digits gets a capital
 * first letter and lower-case rest, so `jean-pierre DE la tour` → `Jean-Pierre De La Tour` and
 * `o'neil` → `O'Neil`. Two refinements: a single letter after an apostrophe stays lower-case
 * (`jean's` → `Jean's`, where Python says `Jean'S`), and runs of white space become one space.
 * Like SADM, inner capitals are lost (`McDonald` → `Mcdonald`).
 */
export function titleCase(name: string): string {
  const parts = name.trim().replace(/\s+/gu, ' ').split(WORD);
  // split with a capture group alternates separator, word, separator, word…, separator.
  return parts
    .map((part, i) => {
      if (i % 2 === 0) return part;
      const before = parts[i - 1] ?? '';
      const afterApostrophe = i >= 2 && APOSTROPHE.test(before) && before.length === 1;
      if (afterApostrophe && [...part].length === 1) return part.toLowerCase();
      return capitalise(part);
    })
    .join('');
}
