import type { Logger } from '@lanctl/core';
import { writeFileAtomic } from '@lanctl/core';
import type { Passwords } from './passwords.ts';
import type { UserStore } from './store/users.ts';

export const INITIAL_ADMIN = 'admin';

/**
 * On the very first start (no account at all), creates the root `admin` with a random password,
 * written to `file` (0600) and shown on the terminal only when stdout is one.
 */
export async function ensureInitialAdmin(
  users: UserStore,
  passwords: Passwords,
  file: string,
  logger: Logger,
): Promise<boolean> {
  if ((await users.count()) > 0) return false;
  const password = passwords.generate() + passwords.generate();
  // The file first: an account whose password nobody could read would lock the site out. If
  // the account cannot be created, the next start (still no account) writes a new file.
  writeFileAtomic(file, `${password}\n`, 0o600);
  await users.create({
    login: INITIAL_ADMIN,
    firstname: 'Initial',
    lastname: 'Administrator',
    group: 'root',
    uid: null,
    shell: '/bin/bash',
    ssh_keys: [],
    password_hash: passwords.hash(password),
  });
  logger.info('created the initial root account', { login: INITIAL_ADMIN, password_file: file });
  if (process.stdout.isTTY) {
    process.stdout.write(
      `\nInitial root account: ${INITIAL_ADMIN} / ${password}\n(also in ${file})\n\n`,
    );
  }
  return true;
}
