import type { User } from '@lanctl/model';
import { describe, expect, it } from 'vitest';
import {
  formatOfFile,
  NO_USER_FILTER,
  nextUserSort,
  pagesOf,
  passwordRuns,
  sheetEntriesOf,
  sortUsers,
  summaryText,
  userMatcher,
} from './table.ts';

const user = (login: string, fields: Partial<User> = {}): User => ({
  login,
  firstname: 'Jean',
  lastname: 'Dupont',
  uid: 10000,
  group: 'user',
  shell: '/bin/bash',
  ssh_keys: [],
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  ...fields,
});

const A = user('jdupont', { uid: 10002 });
const B = user('hmartin', { firstname: 'Hélène', lastname: 'Martin', uid: 10010 });
const C = user('olga', { firstname: 'Olga', lastname: 'Orga', group: 'orga', uid: 11000 });
const D = user('user2', { firstname: 'Zoé', lastname: 'Bas', uid: 10001 });
const ALL = [A, B, C, D];
const logins = (us: User[]) => us.map((u) => u.login);
const matching = (filter: Partial<typeof NO_USER_FILTER>) =>
  logins(ALL.filter(userMatcher({ ...NO_USER_FILTER, ...filter })));

describe('userMatcher', () => {
  it('matches everything without a filter', () => {
    expect(matching({})).toEqual(logins(ALL));
  });

  it('searches login and names, either order, ignoring case, accents and extra spaces', () => {
    expect(matching({ query: 'JDUP' })).toEqual(['jdupont']);
    expect(matching({ query: 'helene' })).toEqual(['hmartin']);
    expect(matching({ query: '  martin   hélène ' })).toEqual(['hmartin']);
    expect(matching({ query: 'jean dupont' })).toEqual(['jdupont']);
  });

  it('filters by group, combined with the query', () => {
    expect(matching({ group: 'orga' })).toEqual(['olga']);
    expect(matching({ group: 'user', query: 'o' })).toEqual(['jdupont', 'user2']);
  });
});

describe('sortUsers', () => {
  it('sorts logins naturally, uids numerically, both ways, leaving the input alone', () => {
    const input = [...ALL];
    expect(logins(sortUsers(input, { key: 'login', dir: 'asc' }))).toEqual([
      'hmartin',
      'jdupont',
      'olga',
      'user2',
    ]);
    expect(logins(sortUsers(input, { key: 'uid', dir: 'desc' }))).toEqual([
      'olga',
      'hmartin',
      'jdupont',
      'user2',
    ]);
    expect(input).toEqual(ALL);
  });

  it('breaks ties by login', () => {
    expect(logins(sortUsers(ALL, { key: 'group', dir: 'asc' }))).toEqual([
      'olga',
      'hmartin',
      'jdupont',
      'user2',
    ]);
  });

  it('sorts a new column ascending and flips the current one', () => {
    expect(nextUserSort({ key: 'login', dir: 'asc' }, 'uid')).toEqual({ key: 'uid', dir: 'asc' });
    expect(nextUserSort({ key: 'uid', dir: 'asc' }, 'uid')).toEqual({ key: 'uid', dir: 'desc' });
  });
});

describe('import helpers', () => {
  it('guesses the format from the file name', () => {
    expect(formatOfFile('team.CSV')).toBe('csv');
    expect(formatOfFile('names.txt')).toBe('tsv');
    expect(formatOfFile('a.tsv')).toBe('tsv');
    expect(formatOfFile('export.json')).toBe('json');
    expect(formatOfFile('noext')).toBe('csv');
  });

  it('makes sheet cards of the rows that got a password only', () => {
    expect(
      sheetEntriesOf([
        { row: 1, login: 'a', status: 'created', password: 'p1', firstname: 'A', lastname: 'B' },
        { row: 2, login: 'b', status: 'created' },
        { row: 3, login: null, status: 'error', reason: 'bad' },
      ]),
    ).toEqual([{ login: 'a', firstname: 'A', lastname: 'B', password: 'p1' }]);
  });

  it('summarises an answer, leaving zero counts out', () => {
    expect(summaryText({ would_create: 3, skipped: 0, error: 1 }, true)).toBe(
      '3 to create, 1 with errors',
    );
    expect(summaryText({ created: 50, updated: 0, skipped: 0, error: 0 }, false)).toBe(
      '50 created',
    );
    expect(summaryText({ created: 0, error: 0 }, false)).toBe('no rows');
  });
});

describe('sheet helpers', () => {
  it('splits a password into digit, letter and other runs, losing nothing', () => {
    const runs = passwordRuns('ab12 Cé!9');
    expect(runs.map((r) => r.text).join('')).toBe('ab12 Cé!9');
    expect(runs.map((r) => r.kind)).toEqual([
      'letter',
      'digit',
      'other',
      'letter',
      'other',
      'digit',
    ]);
  });

  it('cuts cards into pages of ten', () => {
    const pages = pagesOf(Array.from({ length: 23 }, (_, i) => i));
    expect(pages.map((p) => p.length)).toEqual([10, 10, 3]);
    expect(pagesOf([])).toEqual([]);
  });
});
