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

/**
 * Names `getent passwd` reads as a uid, not a name (glibc: strtoul takes the whole key):
 * `getent passwd 15001` is the user whose uid is 15001, whatever its name.
 */
export const readAsUid = (name: string): boolean => /^\s*[+-]?\d+$/.test(name);

/** Longer than any login (LOGIN_NAME_MAX is 256): not asked, an error (never "not found"). */
const MAX_NAME = 1024;

const GETENT = ['/usr/bin/getent', '/bin/getent'];
const ID_COMMAND = ['/usr/bin/id', '/bin/id'];

export interface Ran {
  /** Exit status; null: killed (timeout) or not started. */
  code: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  error: Error | null;
}

/**
 * execFile's result. A timeout that fires after the child exited (0) but before its output was
 * read leaves an empty stdout and no error: getent and id always print on success, so that is a
 * timeout too.
 */
export function execResult(error: Error | null, stdout: string, stderr: string): Ran {
  const status = (error as { code?: unknown } | null)?.code;
  const killed = (error as { killed?: boolean } | null)?.killed === true;
  const code = error ? (typeof status === 'number' ? status : null) : 0;
  const timedOut = killed || (code === 0 && stdout === '');
  return { code: timedOut ? null : code, timedOut, stdout, stderr, error };
}

/**
 * NSS through `getent passwd -- <login>` (files, and whatever nsswitch.conf adds). The entry is
 * returned under whatever name NSS gives it (case-insensitive LDAP answers "Alice" with alice):
 * the caller compares. A name getent would read as a uid goes through `id -u -- <name>` (which
 * tries the name first) and then `getent passwd <uid>`. Only "no such user" is `null`; a timeout
 * or any other failure throws. pam_exec gives no PATH, hence the absolute paths.
 */
export function getentLookup(timeoutMs = 5_000): PasswdLookup {
  const getent = GETENT.find((p) => existsSync(p)) ?? 'getent';
  const id = ID_COMMAND.find((p) => existsSync(p)) ?? 'id';
  const run = (command: string, args: string[]) =>
    new Promise<Ran>((resolve) => {
      // execFile wants whole milliseconds (0.3 s * 1000 is 300.00000000000006).
      const timeout = Math.max(1, Math.round(timeoutMs));
      const options = { timeout, encoding: 'utf8', env: { LC_ALL: 'C' } } as const;
      execFile(command, args, options, (error, stdout, stderr) => {
        resolve(execResult(error, stdout, stderr));
      });
    });
  const fail = (what: string, r: Ran) => {
    const why = r.timedOut ? `no answer within ${timeoutMs} ms` : r.stderr.trim();
    return new Error(`${what}: ${why || r.error?.message || `exit ${r.code}`}`);
  };

  async function passwd(key: string): Promise<PasswdEntry | null> {
    const ran = await run(getent, ['passwd', '--', key]);
    if (ran.code === 2) return null;
    if (ran.code !== 0) throw fail(`getent passwd ${key}`, ran);
    const entry = parsePasswdLine(ran.stdout.split('\n')[0] ?? '');
    if (entry instanceof Error) throw new Error(`getent passwd ${key}: ${entry.message}`);
    return entry;
  }

  return {
    async byName(login) {
      if (login.length > MAX_NAME || login.includes('\0')) {
        throw new Error(`cannot look up a name of ${login.length} characters or with a NUL`);
      }
      if (!readAsUid(login)) return passwd(login);
      const ran = await run(id, ['-u', '--', login]);
      if (ran.code === 1 && /no such user/.test(ran.stderr)) return null;
      const uid = ran.stdout.trim();
      if (ran.code !== 0 || !/^\d+$/.test(uid)) throw fail(`id -u ${login}`, ran);
      return passwd(uid);
    },
  };
}
