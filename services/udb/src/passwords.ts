import { generatePassword, hashPassword, verifyPassword } from '@lanctl/auth';

/** Hashing and generation with the configured rounds and length; nothing here keeps a password. */
export interface Passwords {
  hash(password: string): string;
  verify(password: string, hash: string): boolean;
  /** A new password of the configured length (or `length`). */
  generate(length?: number): string;
  /** Spends the time of a real check, so an unknown login answers as slowly as a wrong password. */
  burn(password: string): void;
}

export function createPasswords(options: { rounds: number; length: number }): Passwords {
  // glibc writes no `rounds=` field for its default of 5000; neither do we.
  const rounds = options.rounds === 5000 ? undefined : options.rounds;
  const dummy = hashPassword('lanctl-timing-equalizer', { rounds });
  return {
    hash: (password) => hashPassword(password, { rounds }),
    verify: verifyPassword,
    generate: (length) => generatePassword(length ?? options.length),
    burn: (password) => {
      verifyPassword(password, dummy);
    },
  };
}
