import type { Group, ImportResult, SheetEntry, User } from '@lanctl/model';

/** Pure logic of the users views: what matches, in which order, what goes on a sheet. */

export interface UserFilter {
  /** Matches the login, the first or last name, or "first last" (any case, any accents). */
  query: string;
  group: Group | '';
}

export const NO_USER_FILTER: UserFilter = { query: '', group: '' };

/** Lower case without accents, so "helene" finds "Hélène". */
export const fold = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** A predicate for one filter, the query folded once rather than once per row. */
export function userMatcher(filter: UserFilter): (u: User) => boolean {
  const query = fold(filter.query.trim().replace(/\s+/g, ' '));
  return (u) => {
    if (filter.group && u.group !== filter.group) return false;
    if (!query) return true;
    return (
      u.login.includes(query) ||
      fold(`${u.firstname} ${u.lastname}`).includes(query) ||
      fold(`${u.lastname} ${u.firstname}`).includes(query)
    );
  };
}

export type UserSortKey = 'login' | 'firstname' | 'lastname' | 'group' | 'uid';
export interface UserSort {
  key: UserSortKey;
  dir: 'asc' | 'desc';
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

function compareBy(key: UserSortKey): (a: User, b: User) => number {
  if (key === 'uid') return (a, b) => a.uid - b.uid;
  return (a, b) => collator.compare(a[key], b[key]);
}

/** A sorted copy; ties broken by login so the order is stable whatever the input order. */
export function sortUsers(users: readonly User[], sort: UserSort): User[] {
  const primary = compareBy(sort.key);
  const sign = sort.dir === 'asc' ? 1 : -1;
  const byLogin = compareBy('login');
  return [...users].sort((a, b) => sign * primary(a, b) || byLogin(a, b));
}

/** Clicking a column sorts by it ascending; clicking it again flips the direction. */
export function nextUserSort(current: UserSort, key: UserSortKey): UserSort {
  if (current.key !== key) return { key, dir: 'asc' };
  return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
}

/** The import format a file name suggests: `.tsv`/`.txt` TSV, `.json` JSON, anything else CSV. */
export function formatOfFile(name: string): 'csv' | 'tsv' | 'json' {
  if (/\.(tsv|txt)$/i.test(name)) return 'tsv';
  if (/\.json$/i.test(name)) return 'json';
  return 'csv';
}

/** The rows of an import that got a new password, as sheet cards (udb sends the names with it). */
export function sheetEntriesOf(results: readonly ImportResult[]): SheetEntry[] {
  return results
    .filter((r) => r.password !== undefined && r.login !== null)
    .map((r) => ({
      login: r.login!,
      firstname: r.firstname ?? '',
      lastname: r.lastname ?? '',
      password: r.password!,
    }));
}

/** "3 to create, 1 error" from an import answer's summary, zero counts left out. */
export function summaryText(summary: Readonly<Record<string, number>>, dryRun: boolean): string {
  const labels: [string, string][] = dryRun
    ? [
        ['would_create', 'to create'],
        ['would_update', 'to update'],
        ['skipped', 'skipped'],
        ['error', 'with errors'],
      ]
    : [
        ['created', 'created'],
        ['updated', 'updated'],
        ['skipped', 'skipped'],
        ['error', 'with errors'],
      ];
  const parts = labels
    .filter(([key]) => (summary[key] ?? 0) > 0)
    .map(([key, label]) => `${summary[key]} ${label}`);
  return parts.length > 0 ? parts.join(', ') : 'no rows';
}

/** Splits a password into runs of digits, letters and others, to print 0/O and 1/l apart. */
export function passwordRuns(
  password: string,
): { text: string; kind: 'digit' | 'letter' | 'other' }[] {
  const out: { text: string; kind: 'digit' | 'letter' | 'other' }[] = [];
  for (const m of password.matchAll(/(\d+)|([\p{L}\p{M}]+)|[^\d\p{L}\p{M}]+/gu)) {
    out.push({ text: m[0], kind: m[1] ? 'digit' : m[2] ? 'letter' : 'other' });
  }
  return out;
}

/** Cards a printed A4 page holds: two columns of five. */
export const CARDS_PER_PAGE = 10;

/** Entries cut into pages of `CARDS_PER_PAGE`. */
export function pagesOf<T>(items: readonly T[], size = CARDS_PER_PAGE): T[][] {
  const pages: T[][] = [];
  for (let i = 0; i < items.length; i += size) pages.push(items.slice(i, i + size));
  return pages;
}
