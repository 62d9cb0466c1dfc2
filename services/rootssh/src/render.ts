/**
 * root's authorized_keys from udb's users (SADM's udbsync_rootssh, §7.3), pure: the keys of the
 * `root`-group users go between two marker lines; every line outside the markers (keys an admin
 * wrote by hand) is kept byte for byte.
 */

export const BEGIN = '# BEGIN lanctl managed keys';
export const END = '# END lanctl managed keys';

/** A record of udb's `users` stream (the fields this writer reads). */
export interface UdbUser {
  login: string;
  group: string;
  ssh_keys: string[];
}

/** The current file cannot be edited safely (markers missing or repeated): nothing is written. */
export class ParseError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'ParseError';
  }
}

export interface Skipped {
  login: string;
  reason: string;
}

export interface RenderedKeys {
  content: string;
  /** Keys in the block. */
  keys: number;
  skipped: Skipped[];
}

/** A public key line as OpenSSH reads it, without options (udb accepts none). */
const KEY =
  /^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+={0,3}( [^\p{Cc}]*)?$/u;

/**
 * `current` (null: no file yet) with its managed block replaced by the keys of `root`-group users,
 * by login; the block is appended when the file has none. Throws ParseError on a file whose
 * markers are not exactly one BEGIN followed by one END.
 */
export function render(
  current: string | null,
  users: Iterable<UdbUser>,
  file = 'authorized_keys',
): RenderedKeys {
  const { before, after } = split(current ?? '', file);
  const { lines, keys, skipped } = block(users);
  const head = before === '' || before.endsWith('\n') ? before : `${before}\n`;
  return { content: `${head}${lines.join('\n')}\n${after}`, keys, skipped };
}

/** The text before the block and after it (the block itself dropped); all of it when none. */
function split(text: string, file: string): { before: string; after: string } {
  const lines = text.split('\n');
  const begins = lines.flatMap((l, i) => (l.trimEnd() === BEGIN ? [i] : []));
  const ends = lines.flatMap((l, i) => (l.trimEnd() === END ? [i] : []));
  if (begins.length === 0 && ends.length === 0) return { before: text, after: '' };
  const [begin] = begins;
  const [end] = ends;
  if (begins.length > 1) throw new ParseError(file, begins[1]! + 1, `a second "${BEGIN}"`);
  if (ends.length > 1) throw new ParseError(file, ends[1]! + 1, `a second "${END}"`);
  if (begin === undefined) throw new ParseError(file, end! + 1, `"${END}" without "${BEGIN}"`);
  if (end === undefined) throw new ParseError(file, begin + 1, `"${BEGIN}" without "${END}"`);
  if (end < begin) throw new ParseError(file, end + 1, `"${END}" before "${BEGIN}"`);
  const before = lines
    .slice(0, begin)
    .map((l) => `${l}\n`)
    .join('');
  return { before, after: lines.slice(end + 1).join('\n') };
}

function block(users: Iterable<UdbUser>): { lines: string[]; keys: number; skipped: Skipped[] } {
  const roots = [...users]
    .filter((u) => u.group === 'root')
    .sort((a, b) => (a.login < b.login ? -1 : a.login > b.login ? 1 : 0));
  const lines = [BEGIN];
  const seen = new Set<string>();
  const skipped: Skipped[] = [];
  for (const u of roots) {
    if (typeof u.login !== 'string' || !/^[a-z_][a-z0-9_]{0,30}$/.test(u.login)) {
      skipped.push({ login: String(u.login), reason: 'not a valid login' });
      continue;
    }
    const keys: string[] = [];
    for (const raw of Array.isArray(u.ssh_keys) ? u.ssh_keys : []) {
      const key = typeof raw === 'string' ? raw.trim() : '';
      if (key === '') continue;
      if (!KEY.test(key)) {
        skipped.push({
          login: u.login,
          reason: `not one public key line: ${JSON.stringify(key.slice(0, 40))}`,
        });
      } else if (!seen.has(key)) {
        seen.add(key);
        keys.push(key);
      }
    }
    if (keys.length > 0) lines.push(`# ${u.login}`, ...keys);
  }
  lines.push(END);
  return { lines, keys: seen.size, skipped };
}
