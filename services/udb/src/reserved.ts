import { readFileSync } from 'node:fs';

/**
 * Logins that must never become accounts: `root`, and the system accounts of the host's passwd
 * (uid < 1000, or 60000 and above: SADM stopped at 65533 and so let `nobody` through), whose
 * names would collide in the generated /etc/passwd.
 */
export function reservedLogins(passwdFile: string): Set<string> {
  const reserved = new Set(['root']);
  let text = '';
  try {
    text = readFileSync(passwdFile, 'utf8');
  } catch (e) {
    throw new Error(`udb: cannot read system_passwd_file ${passwdFile}: ${(e as Error).message}`);
  }
  for (const line of text.split('\n')) {
    const [name, , uidText] = line.split(':');
    const uid = Number(uidText);
    if (name && Number.isInteger(uid) && (uid < 1000 || uid >= 60000)) reserved.add(name);
  }
  return reserved;
}
