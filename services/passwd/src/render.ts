import {
  type GroupEntry,
  type GshadowEntry,
  parseGroup,
  parseGshadow,
  parsePasswd,
  parseShadow,
} from './parse.ts';

export {
  type GroupEntry,
  type GshadowEntry,
  ParseError,
  type PasswdEntry,
  parseGroup,
  parseGshadow,
  parsePasswd,
  parseShadow,
  type ShadowEntry,
} from './parse.ts';

/** The account files of one root, as text. `gshadow` only where the root has one. */
export interface AccountFiles {
  passwd: string;
  shadow: string;
  group: string;
  gshadow?: string;
}

/** A record of udb's `users` stream (the fields this writer reads). */
export interface UdbUser {
  login: string;
  firstname: string;
  lastname: string;
  uid: number;
  group: string;
  shell: string;
  /** sha512-crypt; only for a token with the `users:hashes` scope. */
  password_hash?: string;
}

export interface RenderOptions {
  /** [start, end): uids (and gids) this writer owns; every other entry is left as it is. */
  managedUids: readonly [number, number];
  now: Date;
}

export interface Skipped {
  login: string;
  reason: string;
}

export interface Rendered extends AccountFiles {
  /** Users of the stream left out of the files, with why (one bad record never blocks the rest). */
  skipped: Skipped[];
  /** SADM groups that had to be created on another gid than SADM's, and on which. */
  notes: string[];
}

/** SADM's groups, their gids when they have to be created, and who is in them. */
export const SADM_GROUPS = { wheel: 10, user: 10000, orga: 10001 } as const;
type SadmGroup = keyof typeof SADM_GROUPS;
export const MEMBERSHIPS: Record<string, readonly SadmGroup[]> = {
  user: ['user'],
  orga: ['orga', 'user'],
  root: ['wheel', 'orga', 'user'],
};

/** A check of the rendered files failed: nothing is written. */
export class ConsistencyError extends Error {
  constructor(readonly problems: string[]) {
    super(`inconsistent account files: ${problems.join('; ')}`);
    this.name = 'ConsistencyError';
  }
}

const DAY_MS = 86_400_000;
const LOGIN = /^[a-z_][a-z0-9_]{0,30}$/;
const SHELL = /^\/[A-Za-z0-9._/+-]{1,63}$/;
const BAD_TEXT = /[\p{Cc}:]/u;

/**
 * The account files of a root after applying udb's users to them (SADM's udbsync_passwd, §7.2):
 * entries outside `managedUids` stay byte for byte and in place; managed users are appended
 * sorted by uid; SADM's groups get their managed members while keeping the others (SADM dropped
 * them); other groups lose members that no longer exist. A managed user whose password hash is
 * unchanged keeps its shadow line (so files do not churn). Throws ParseError on an unusable
 * input line and ConsistencyError if the result is not coherent.
 */
export function render(
  current: AccountFiles,
  users: Iterable<UdbUser>,
  options: RenderOptions,
): Rendered {
  const [lo, hi] = options.managedUids;
  const managed = (uid: number) => uid >= lo && uid < hi;
  const passwd = parsePasswd(current.passwd);
  const shadow = parseShadow(current.shadow);
  const groups = parseGroup(current.group);
  const gshadow = current.gshadow === undefined ? undefined : parseGshadow(current.gshadow);

  const kept = passwd.filter((e) => !managed(e.uid));
  const system = new Set(kept.map((e) => e.name));
  const { accepted, skipped } = acceptUsers(users, system, managed);
  const gids = sadmGids(groups);
  const logins = new Set(accepted.map((u) => u.login));
  /** Names this writer owns in shadow and group lists: managed before or now. */
  const ours = new Set([...passwd.filter((e) => managed(e.uid)).map((e) => e.name), ...logins]);
  const exists = (name: string) => system.has(name) || logins.has(name);

  const passwdLines = [
    ...kept.map((e) => e.line),
    ...accepted.map((u) => passwdLine(u, gids.gid[MEMBERSHIPS[u.group]![0]!])),
  ];
  const days = Math.floor(options.now.getTime() / DAY_MS);
  const oldShadow = new Map(shadow.map((e) => [e.name, e]));
  const shadowLines = [
    ...shadow.filter((e) => !ours.has(e.name)).map((e) => e.line),
    ...accepted.map((u) => {
      const hash = u.password_hash ?? '!';
      const old = oldShadow.get(u.login);
      return old?.hash === hash ? old.line : `${u.login}:${hash}:${days}:0:99999:7:::`;
    }),
  ];
  const newMembers = groupMembers(groups, accepted, ours, exists);
  const rendered: Rendered = {
    passwd: text(passwdLines),
    shadow: text(shadowLines),
    group: text(groupLines(groups, gids, newMembers)),
    skipped,
    notes: gids.notes,
  };
  if (gshadow) rendered.gshadow = text(gshadowLines(gshadow, gids, newMembers, exists));
  checkConsistency(rendered);
  return rendered;
}

function acceptUsers(
  users: Iterable<UdbUser>,
  system: Set<string>,
  managed: (uid: number) => boolean,
): { accepted: UdbUser[]; skipped: Skipped[] } {
  const sorted = [...users].sort((a, b) => a.uid - b.uid || (a.login < b.login ? -1 : 1));
  const accepted: UdbUser[] = [];
  const skipped: Skipped[] = [];
  const byUid = new Map<number, string>();
  const logins = new Set<string>();
  for (const u of sorted) {
    let reason = userProblem(u, managed);
    if (!reason && system.has(u.login)) reason = 'login is a system account of this root';
    if (!reason && logins.has(u.login)) reason = 'login appears twice in the stream';
    if (!reason && byUid.has(u.uid)) reason = `uid ${u.uid} is also ${byUid.get(u.uid)}'s`;
    if (reason) {
      skipped.push({ login: String(u.login), reason });
      continue;
    }
    byUid.set(u.uid, u.login);
    logins.add(u.login);
    accepted.push(u);
  }
  return { accepted, skipped };
}

/** Why a record cannot become a passwd line (the wire is input, udb's checks notwithstanding). */
function userProblem(u: UdbUser, managed: (uid: number) => boolean): string | null {
  if (typeof u.login !== 'string' || !LOGIN.test(u.login)) return 'not a valid login';
  if (!Number.isSafeInteger(u.uid) || !managed(u.uid)) {
    return `uid ${u.uid} is outside the managed range`;
  }
  if (!Object.hasOwn(MEMBERSHIPS, u.group)) return `unknown group "${u.group}"`;
  for (const field of ['firstname', 'lastname'] as const) {
    if (typeof u[field] !== 'string' || BAD_TEXT.test(u[field])) {
      return `${field} is not text without ":" and control characters`;
    }
  }
  if (typeof u.shell !== 'string' || !SHELL.test(u.shell)) return 'shell is not an absolute path';
  const hash = u.password_hash;
  if (hash !== undefined && (typeof hash !== 'string' || hash === '' || BAD_TEXT.test(hash))) {
    return 'password_hash is not a crypt(3) hash';
  }
  return null;
}

function passwdLine(u: UdbUser, gid: number | undefined): string {
  return `${u.login}:x:${u.uid}:${gid}:${u.firstname} ${u.lastname}:/home/${u.login}:${u.shell}`;
}

interface SadmGids {
  gid: Record<SadmGroup, number>;
  /** Groups to append, sorted by gid. */
  missing: { name: SadmGroup; gid: number }[];
  notes: string[];
}

/**
 * Each SADM group's gid: the existing group of that name, else SADM's gid, else (that gid being
 * another group's) the highest free gid below 1000, as `groupadd --system` would pick.
 */
function sadmGids(groups: GroupEntry[]): SadmGids {
  const byName = new Map(groups.map((g) => [g.name, g.gid]));
  const taken = new Set(groups.map((g) => g.gid));
  const gid = {} as Record<SadmGroup, number>;
  const missing: SadmGids['missing'] = [];
  const notes: string[] = [];
  for (const [name, wanted] of Object.entries(SADM_GROUPS) as [SadmGroup, number][]) {
    const existing = byName.get(name);
    if (existing !== undefined) {
      gid[name] = existing;
      continue;
    }
    let chosen = wanted;
    if (taken.has(wanted)) {
      chosen = 999;
      while (taken.has(chosen) && chosen > 1) chosen--;
      notes.push(`group ${name} created with gid ${chosen}: gid ${wanted} is taken`);
    }
    taken.add(chosen);
    gid[name] = chosen;
    missing.push({ name, gid: chosen });
  }
  missing.sort((a, b) => a.gid - b.gid);
  return { gid, missing, notes };
}

/** New member lists of the groups whose members change (absent: unchanged). */
function groupMembers(
  groups: GroupEntry[],
  accepted: UdbUser[],
  ours: Set<string>,
  exists: (name: string) => boolean,
): Map<string, string[]> {
  const result = new Map<string, string[]>();
  const current = new Map(groups.map((g) => [g.name, g.members]));
  for (const name of Object.keys(SADM_GROUPS) as SadmGroup[]) {
    const others = (current.get(name) ?? []).filter((m) => exists(m) && !ours.has(m));
    const members = accepted
      .filter((u) => MEMBERSHIPS[u.group]!.includes(name))
      .map((u) => u.login);
    result.set(name, [...others, ...members]);
  }
  for (const g of groups) {
    if (!result.has(g.name)) result.set(g.name, g.members.filter(exists));
  }
  for (const [name, members] of result) {
    const before = current.get(name);
    if (before && sameList(before, members)) result.delete(name);
  }
  return result;
}

function groupLines(
  groups: GroupEntry[],
  gids: SadmGids,
  newMembers: Map<string, string[]>,
): string[] {
  const lines = groups.map((g) => {
    const members = newMembers.get(g.name);
    return members ? `${g.name}:${g.password}:${g.gid}:${members.join(',')}` : g.line;
  });
  for (const { name, gid } of gids.missing) {
    lines.push(`${name}:x:${gid}:${(newMembers.get(name) ?? []).join(',')}`);
  }
  return lines;
}

function gshadowLines(
  entries: GshadowEntry[],
  gids: SadmGids,
  newMembers: Map<string, string[]>,
  exists: (name: string) => boolean,
): string[] {
  const lines = entries.map((e) => {
    const admins = e.admins.filter(exists);
    const members = newMembers.get(e.name) ?? e.members.filter(exists);
    if (sameList(admins, e.admins) && sameList(members, e.members)) return e.line;
    return `${e.name}:${e.password}:${admins.join(',')}:${members.join(',')}`;
  });
  const present = new Set(entries.map((e) => e.name));
  for (const { name } of gids.missing) {
    if (!present.has(name)) lines.push(`${name}:!::${(newMembers.get(name) ?? []).join(',')}`);
  }
  return lines;
}

/**
 * The rendered files parse, every passwd user has a shadow line and the reverse, every group a
 * gshadow line and the reverse (when there is a gshadow), and no group lists an unknown user.
 */
export function checkConsistency(files: AccountFiles): void {
  const problems: string[] = [];
  const names = (entries: { name: string }[]) => new Set(entries.map((e) => e.name));
  const users = names(parsePasswd(files.passwd));
  const shadow = names(parseShadow(files.shadow));
  const groups = parseGroup(files.group);
  const missing = (a: Set<string>, b: Set<string>, what: string) => {
    const lacking = [...a].filter((n) => !b.has(n));
    if (lacking.length > 0) problems.push(`${what}: ${lacking.join(', ')}`);
  };
  missing(users, shadow, 'passwd users without a shadow line');
  missing(shadow, users, 'shadow lines without a passwd user');
  if (files.gshadow !== undefined) {
    const gshadow = names(parseGshadow(files.gshadow));
    missing(names(groups), gshadow, 'groups without a gshadow line');
    missing(gshadow, names(groups), 'gshadow lines without a group');
  }
  const unknown = groups.flatMap((g) =>
    g.members.filter((m) => !users.has(m)).map((m) => `${g.name}:${m}`),
  );
  if (unknown.length > 0)
    problems.push(`group members without a passwd user: ${unknown.join(', ')}`);
  if (problems.length > 0) throw new ConsistencyError(problems);
}

/** The gid of the `shadow` group of these files, or 0 (root) when there is none. */
export function shadowGid(groupText: string): number {
  return parseGroup(groupText).find((g) => g.name === 'shadow')?.gid ?? 0;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function text(lines: string[]): string {
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
