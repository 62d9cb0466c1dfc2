import { randomInt } from 'node:crypto';
import { unprocessable } from '@lanctl/core';

const LOWER = 'abcdefghijkmnpqrstuvwxyz'; // no l, o
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ'; // no I, O
const DIGITS = '23456789'; // no 0, 1

/** Characters of generated passwords: letters and digits without 0 O o 1 l I. */
export const PASSWORD_ALPHABET = LOWER + UPPER + DIGITS;

/** Longest password `generatePassword` makes (a sanity bound, not a security one). */
export const GENERATED_PASSWORD_MAX_LENGTH = 256;

/**
 * A random password from `PASSWORD_ALPHABET` (like `pwgen -cnB`, with a smaller set of
 * ambiguous characters) holding at least one capital and one digit when `length` ≥ 3.
 * Draws whole passwords uniformly and retries until they qualify, so every qualifying
 * password is equally likely (no forced positions an attacker could count on).
 */
export function generatePassword(length = 8): string {
  if (!Number.isSafeInteger(length) || length < 1 || length > GENERATED_PASSWORD_MAX_LENGTH) {
    throw unprocessable('length', `must be an integer from 1 to ${GENERATED_PASSWORD_MAX_LENGTH}`);
  }
  for (;;) {
    let password = '';
    for (let i = 0; i < length; i++)
      password += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
    if (length < 3 || (/[A-Z]/.test(password) && /[0-9]/.test(password))) return password;
  }
}
