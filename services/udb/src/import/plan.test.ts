import { GROUPS, type Group, LOGIN_MESSAGE, LOGIN_PATTERN } from '@lanctl/model';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ParsedRow } from './parse.ts';
import { type ExistingUser, type PlanOptions, planImport } from './plan.ts';

const SYSTEM = new Set(['bin', 'daemon', 'nobody', 'jdupont9']);
const orga: PlanOptions = {
  mode: 'create',
  group: 'user',
  isReserved: (login) => SYSTEM.has(login),
  canManage: (group) => group !== 'root',
};

let n = 0;
const row = (firstname: string, lastname: string, extra: Partial<ParsedRow> = {}): ParsedRow => ({
  row: ++n,
  firstname,
  lastname,
  ...extra,
});
const rowsOf = (...rows: ParsedRow[]) => rows.map((r, i) => ({ ...r, row: i + 1 }));
const existingOf = (entries: Record<string, ExistingUser>) => new Map(Object.entries(entries));
const summary = (plan: ReturnType<typeof planImport>) =>
  plan.map((p) => [p.action, p.login, p.reason ?? null]);

describe('planImport', () => {
  it('derives and title-cases like SADM, with the default group', () => {
    const plan = planImport(rowsOf(row('jean-pierre', 'DE LA TOUR')), new Map(), orga);
    expect(plan).toEqual([
      {
        row: 1,
        login: 'jpdelatour',
        action: 'create',
        firstname: 'Jean-Pierre',
        lastname: 'De La Tour',
        group: 'user',
      },
    ]);
  });

  it('dedupes derived logins against the database and the run (SADM: only the run)', () => {
    const rows = rowsOf(row('Jean', 'Dupont'), row('Julie', 'Dupont'), row('Jules', 'Dupont'));
    const plan = planImport(rows, existingOf({ jdupont: { group: 'user' } }), orga);
    expect(summary(plan)).toEqual([
      ['create', 'jdupont1', null],
      ['create', 'jdupont2', null],
      ['create', 'jdupont3', null],
    ]);
  });

  it('keeps explicit logins for their rows, even when a derived one comes first', () => {
    const rows = rowsOf(row('Jean', 'Dupont'), row('X', 'Y', { login: 'jdupont' }));
    expect(summary(planImport(rows, new Map(), orga))).toEqual([
      ['create', 'jdupont1', null],
      ['create', 'jdupont', null],
    ]);
  });

  it('steps over reserved logins and root when deriving', () => {
    const rows = rowsOf(
      row('Rémi', 'Oot'),
      ...Array.from({ length: 10 }, () => row('J', 'Dupont')),
    );
    const logins = planImport(rows, new Map(), orga).map((p) => p.login);
    expect(logins[0]).toBe('root1');
    expect(logins).not.toContain('jdupont9');
    expect(logins.at(-1)).toBe('jdupont10');
  });

  it.each([
    ['root', 'login root is reserved'],
    ['daemon', 'login daemon is reserved'],
    ['JDupont', `invalid login "JDupont": ${LOGIN_MESSAGE}`],
    ['9lives', `invalid login "9lives": ${LOGIN_MESSAGE}`],
    ['a'.repeat(32), `invalid login "${'a'.repeat(32)}": ${LOGIN_MESSAGE}`],
  ])('refuses the explicit login %j', (login, reason) => {
    const plan = planImport(rowsOf(row('A', 'B', { login })), new Map(), orga);
    expect(summary(plan)).toEqual([['error', login, reason]]);
  });

  it('uses the first row of a login given twice and refuses the others', () => {
    const rows = rowsOf(
      row('A', 'B', { login: 'ab' }),
      row('C', 'D', { login: 'cd' }),
      row('E', 'F', { login: 'ab' }),
    );
    expect(summary(planImport(rows, new Map(), orga))).toEqual([
      ['create', 'ab', null],
      ['create', 'cd', null],
      ['error', 'ab', 'login ab appears more than once in the file; only its first row is used'],
    ]);
  });

  it('refuses groups the caller cannot manage, from the row or the default', () => {
    const rows = rowsOf(row('A', 'B', { group: 'root' }), row('C', 'D', { group: 'orga' }));
    expect(summary(planImport(rows, new Map(), orga))).toEqual([
      ['error', null, 'not allowed to manage root accounts'],
      ['create', 'cd', null],
    ]);
    const asRootGroup = planImport(rowsOf(row('C', 'D')), new Map(), { ...orga, group: 'root' });
    expect(asRootGroup[0]).toMatchObject({ action: 'error', group: 'root' });
  });

  describe('existing logins, by mode', () => {
    const existing = existingOf({ ab: { group: 'user' }, boss: { group: 'root' } });
    const rows = rowsOf(
      row('A', 'B', { login: 'ab', password: 'new-pass' }),
      row('X', 'Y', { login: 'boss' }),
      row('N', 'Ew', { login: 'new', password: 'p4ss' }),
    );
    it.each([
      [
        'create',
        [
          ['error', 'ab', 'ab already exists (use update or ignore)'],
          ['error', 'boss', 'boss already exists (use update or ignore)'],
          ['create', 'new', null],
        ],
      ],
      [
        'update',
        [
          ['update', 'ab', null],
          ['error', 'boss', 'boss is a root account; not allowed to manage it'],
          ['create', 'new', null],
        ],
      ],
      [
        'ignore',
        [
          ['skip', 'ab', 'ab already exists'],
          ['skip', 'boss', 'boss already exists'],
          ['create', 'new', null],
        ],
      ],
    ] as const)('%s', (mode, expected) => {
      const plan = planImport(rows, existing, { ...orga, mode });
      expect(summary(plan)).toEqual(expected);
      const passwords = plan.map((p) => p.password);
      expect(passwords[2]).toBe('p4ss');
      expect(passwords[0]).toBe(mode === 'update' ? 'new-pass' : undefined);
    });
  });

  it('recognises the same person behind a derived login when names are given', () => {
    const existing = existingOf({
      jdupont: { group: 'user', firstname: 'Julie', lastname: 'Dupont' },
      jdupont1: { group: 'user', firstname: 'Jean', lastname: 'Dupont' },
    });
    const rows = rowsOf(row('JEAN', 'dupont'), row('Jacques', 'Dupont'));
    expect(summary(planImport(rows, existing, { ...orga, mode: 'update' }))).toEqual([
      ['update', 'jdupont1', null],
      ['create', 'jdupont2', null],
    ]);
    expect(summary(planImport(rows, existing, orga))[0]).toEqual([
      'error',
      'jdupont1',
      'jdupont1 already exists (use update or ignore)',
    ]);
  });

  it.each([
    [row('李', '小龙'), 'cannot derive a login from these names (no usable letters); give a login'],
    [row('Jean', 'Du:pont'), 'last name: must not contain control characters or ":"'],
    [row('J'.repeat(65), 'Dupont'), 'first name: at most 64 characters'],
    [row('Jean', 'Dupont', { password: 'x'.repeat(257) }), 'password: at most 256 characters'],
  ])('refuses %j', (input, reason) => {
    const [planned] = planImport(rowsOf(input), new Map(), orga);
    expect(planned).toMatchObject({ action: 'error', reason });
  });

  it('turns a throwing callback into an error row', () => {
    const options = {
      ...orga,
      isReserved: () => {
        throw new Error('boom');
      },
    };
    const plan = planImport(
      rowsOf(row('A', 'B', { login: 'ab' }), row('C', 'D')),
      new Map(),
      options,
    );
    expect(plan.map((p) => p.action)).toEqual(['error', 'error']);
    expect(plan[0]!.reason).toMatch(/boom/);
  });
});

describe('planImport (property)', () => {
  const group = fc.constantFrom<Group>(...GROUPS);
  // Few distinct names, so derived logins collide with each other, the database and the file.
  const mostly = <T>(common: fc.Arbitrary<T>, rare: fc.Arbitrary<T>) =>
    fc.oneof({ weight: 5, arbitrary: common }, { weight: 1, arbitrary: rare });
  const name = mostly(
    fc.constantFrom('Jean', 'jean', 'Julie', 'Jean-Pierre', 'Élodie', 'J', '李'),
    fc.string({ maxLength: 12 }),
  );
  const lastname = mostly(fc.constantFrom('Dupont', 'DUPONT', 'De La Tour'), name);
  const login = fc.constantFrom(
    'jdupont',
    'jdupont1',
    'root',
    'bin',
    'ab',
    'Bad',
    '',
    'jpdelatour',
  );
  const parsed = fc.record(
    {
      firstname: name,
      lastname,
      login,
      password: mostly(fc.constantFrom('pw', 'pass word'), fc.string({ maxLength: 10 })),
      group: mostly(fc.constant<Group>('user'), group),
    },
    { requiredKeys: ['firstname', 'lastname'] },
  );
  const existing = fc.dictionary(
    fc.constantFrom('jdupont', 'jdupont1', 'jdupont2', 'jjdupont', 'ab', 'dupont', 'jpdelatour'),
    fc.record({ group, firstname: name, lastname: name }, { requiredKeys: ['group'] }),
  );
  const options = fc.record({
    mode: fc.constantFrom<PlanOptions['mode']>('create', 'update', 'ignore'),
    group,
    manages: mostly(fc.constant<Group[]>([...GROUPS]), fc.subarray<Group>([...GROUPS])),
  });

  it('never shares a login between writes and only writes valid, allowed, fitting logins', () => {
    fc.assert(
      fc.property(fc.array(parsed, { maxLength: 15 }), existing, options, (rows, db, opts) => {
        const numbered = rows.map((r, i) => ({ ...r, row: i + 1 }));
        const map = new Map(Object.entries(db));
        const plan = planImport(numbered, map, {
          mode: opts.mode,
          group: opts.group,
          isReserved: (l) => SYSTEM.has(l),
          canManage: (g) => opts.manages.includes(g),
        });
        expect(plan.map((p) => p.row)).toEqual(numbered.map((r) => r.row));
        const writes = plan.filter((p) => p.action === 'create' || p.action === 'update');
        const logins = writes.map((p) => p.login);
        expect(new Set(logins).size).toBe(logins.length);
        for (const [i, p] of plan.entries()) {
          if (p.action === 'error') expect(p.reason).toBeTruthy();
          if (p.action === 'error' || p.action === 'skip') continue;
          expect(p.login).toMatch(LOGIN_PATTERN);
          expect(p.login).not.toBe('root');
          expect(SYSTEM.has(p.login!)).toBe(false);
          expect(opts.manages).toContain(p.group);
          expect(p.action === 'create').toBe(!map.has(p.login!));
          if (p.action === 'update') expect(opts.manages).toContain(map.get(p.login!)!.group);
          if (numbered[i]!.login !== undefined) expect(p.login).toBe(numbered[i]!.login);
        }
      }),
      { numRuns: 500 },
    );
  });
});
