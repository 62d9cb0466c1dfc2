/**
 * Strict parsers of the four account files. Every entry keeps its line exactly as read, so an
 * entry the writer does not own goes back out byte for byte. Pure: text in, entries out.
 */

/** An unusable line: the writer refuses to write anything rather than guess. */
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

interface Entry {
  /** The line as read, without its newline. */
  line: string;
  name: string;
}

export interface PasswdEntry extends Entry {
  password: string;
  uid: number;
  gid: number;
  gecos: string;
  home: string;
  shell: string;
}

export interface ShadowEntry extends Entry {
  hash: string;
}

export interface GroupEntry extends Entry {
  password: string;
  gid: number;
  members: string[];
}

export interface GshadowEntry extends Entry {
  password: string;
  admins: string[];
  members: string[];
}

/** User and group names as shadow-utils and Debian accept them (`_apt`, `Debian-exim`, `samba$`). */
export const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/;
const ID = /^\d{1,10}$/;
const NUMBER_OR_EMPTY = /^\d*$/;
const MAX_ID = 2 ** 32 - 2; // (uid_t)-1 is "no user"

/** Splits a file into lines (a final newline ends the last line, it does not start a new one). */
function lines(text: string): string[] {
  if (text === '') return [];
  const all = text.split('\n');
  if (all[all.length - 1] === '') all.pop();
  return all;
}

function parseFile<E extends Entry>(
  text: string,
  file: string,
  fieldCount: number,
  build: (fields: string[], line: string) => E | string,
): E[] {
  const entries: E[] = [];
  const seen = new Map<string, number>();
  lines(text).forEach((line, i) => {
    const fail = (reason: string): never => {
      throw new ParseError(file, i + 1, reason);
    };
    if (/[\0\r]/.test(line)) fail('control character in the line');
    const fields = line.split(':');
    if (fields.length !== fieldCount) {
      fail(`expected ${fieldCount} fields separated by ":", found ${fields.length}`);
    }
    if (!NAME.test(fields[0]!)) fail(`"${fields[0]}" is not a user or group name`);
    const entry = build(fields, line);
    if (typeof entry === 'string') fail(entry);
    const name = (entry as E).name;
    const before = seen.get(name);
    if (before !== undefined) fail(`duplicate entry "${name}" (also line ${before})`);
    seen.set(name, i + 1);
    entries.push(entry as E);
  });
  return entries;
}

function id(value: string, what: string): number | string {
  if (!ID.test(value) || Number(value) > MAX_ID) return `${what} "${value}" is not a number`;
  return Number(value);
}

function nameList(value: string, what: string): string[] | string {
  if (value === '') return [];
  const names = value.split(',');
  const bad = names.find((n) => !NAME.test(n));
  return bad === undefined ? names : `${what}: "${bad}" is not a user name`;
}

/** `name:password:uid:gid:gecos:home:shell` */
export function parsePasswd(text: string, file = 'passwd'): PasswdEntry[] {
  return parseFile(text, file, 7, (f, line) => {
    const [name, password, uidText, gidText, gecos, home, shell] = f as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const uid = id(uidText, 'uid');
    if (typeof uid === 'string') return uid;
    const gid = id(gidText, 'gid');
    if (typeof gid === 'string') return gid;
    return { line, name, password, uid, gid, gecos, home, shell };
  });
}

/** `name:hash:lastchg:min:max:warn:inactive:expire:reserved` */
export function parseShadow(text: string, file = 'shadow'): ShadowEntry[] {
  return parseFile(text, file, 9, (f, line) => {
    const bad = f.slice(2, 8).findIndex((v) => !NUMBER_OR_EMPTY.test(v));
    if (bad !== -1) return `field ${bad + 3} "${f[bad + 2]}" is neither a number nor empty`;
    return { line, name: f[0]!, hash: f[1]! };
  });
}

/** `name:password:gid:member,member` */
export function parseGroup(text: string, file = 'group'): GroupEntry[] {
  return parseFile(text, file, 4, (f, line) => {
    const gid = id(f[2]!, 'gid');
    if (typeof gid === 'string') return gid;
    const members = nameList(f[3]!, 'members');
    if (typeof members === 'string') return members;
    return { line, name: f[0]!, password: f[1]!, gid, members };
  });
}

/** `name:password:admin,admin:member,member` */
export function parseGshadow(text: string, file = 'gshadow'): GshadowEntry[] {
  return parseFile(text, file, 4, (f, line) => {
    const admins = nameList(f[2]!, 'administrators');
    if (typeof admins === 'string') return admins;
    const members = nameList(f[3]!, 'members');
    if (typeof members === 'string') return members;
    return { line, name: f[0]!, password: f[1]!, admins, members };
  });
}
