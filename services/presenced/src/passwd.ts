import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

/** One line of the passwd database (`getent passwd <login>`). */
export interface PasswdEntry {
  login: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/** How the daemon and the PAM helper learn a user's uid: unknown is `null`, not an error. */
export interface PasswdLookup {
  byName(login: string): Promise<PasswdEntry | null>;
}

const ID = /^(0|[1-9]\d{0,9})$/;

/** `name:password:uid:gid:gecos:home:shell`; an error names what is wrong. Pure. */
export function parsePasswdLine(line: string): PasswdEntry | Error {
  const fields = line.replace(/\r?\n$/, '').split(':');
  if (fields.length !== 7)
    return new Error(`expected 7 ":"-separated fields, got ${fields.length}`);
  const [login, , uid, gid, , home, shell] = fields as [string, ...string[]];
  if (login === '') return new Error('empty login');
  if (!ID.test(uid ?? '') || Number(uid) > 0xffff_ffff) return new Error(`bad uid "${uid}"`);
  if (!ID.test(gid ?? '') || Number(gid) > 0xffff_ffff) return new Error(`bad gid "${gid}"`);
  return { login, uid: Number(uid), gid: Number(gid), home: home ?? '', shell: shell ?? '' };
}

/** Names `getent` may be asked about: no option look-alikes, separators or control characters. */
export const isLookupName = (name: string): boolean =>
  name.length > 0 && name.length <= 256 && !name.startsWith('-') && !/[\p{Cc}:/\s]/u.test(name);

const GETENT = ['/usr/bin/getent', '/bin/getent'];

/**
 * NSS through `getent passwd -- <login>` (files, and whatever nsswitch.conf adds). Exit 2 is
 * "not found"; any other failure throws. pam_exec gives no PATH, hence the absolute path.
 */
export function getentLookup(timeoutMs = 5_000): PasswdLookup {
  const command = GETENT.find((p) => existsSync(p)) ?? 'getent';
  return {
    byName: (login) =>
      new Promise((resolve, reject) => {
        if (!isLookupName(login)) return resolve(null);
        execFile(
          command,
          ['passwd', '--', login],
          { timeout: timeoutMs, encoding: 'utf8' },
          (error, stdout) => {
            if (error && (error as { code?: unknown }).code === 2) return resolve(null);
            if (error) return reject(new Error(`getent passwd ${login}: ${error.message}`));
            const entry = parsePasswdLine(stdout.split('\n')[0] ?? '');
            if (entry instanceof Error)
              return reject(new Error(`getent passwd ${login}: ${entry.message}`));
            resolve(entry.login === login ? entry : null);
          },
        );
      }),
  };
}
