import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ImportFormat, parseImport } from './parse.ts';

describe('parseImport: SADM batchimport layouts (no header)', () => {
  it('reads First<TAB>Last lines, trimmed, blank lines skipped but counted', () => {
    const text = 'Jean-Pierre\tDe La Tour\n\n  Élodie \t Müller \r\n';
    expect(parseImport('tsv', text)).toEqual({
      rows: [
        { row: 1, firstname: 'Jean-Pierre', lastname: 'De La Tour' },
        { row: 3, firstname: 'Élodie', lastname: 'Müller' },
      ],
      errors: [],
    });
  });

  it('reads --logins lines: names = login, optional :password (split at the first colon)', () => {
    const text = 'jdupont\nemuller:s3cr:et\nxavier:\n';
    expect(parseImport('tsv', text).rows).toEqual([
      { row: 1, firstname: 'jdupont', lastname: 'jdupont', login: 'jdupont' },
      { row: 2, firstname: 'emuller', lastname: 'emuller', login: 'emuller', password: 's3cr:et' },
      { row: 3, firstname: 'xavier', lastname: 'xavier', login: 'xavier' },
    ]);
  });

  it('takes the layout from the first row and reports rows that do not fit it', () => {
    const text = 'Jean\tDupont\nJulie\nA\tB\tC\nMarc\tDurand\t\t\n';
    expect(parseImport('tsv', text)).toEqual({
      rows: [
        { row: 1, firstname: 'Jean', lastname: 'Dupont' },
        { row: 4, firstname: 'Marc', lastname: 'Durand' },
      ],
      errors: [
        { row: 2, reason: 'expected 2 cells (first name, last name), got 1' },
        { row: 3, reason: 'expected 2 cells (first name, last name), got 3' },
      ],
    });
  });

  it('reports every row of a headerless file with three or more cells', () => {
    const { rows, errors } = parseImport('csv', 'a,b,c\nd,e,f\n');
    expect(rows).toEqual([]);
    expect(errors.map((e) => e.row)).toEqual([1, 2]);
    expect(errors[0]!.reason).toMatch(/no header row/);
  });

  it('reads the same layouts as CSV', () => {
    expect(parseImport('csv', '"Dupont, Jr",x\r\n').rows).toEqual([
      { row: 1, firstname: 'Dupont, Jr', lastname: 'x' },
    ]);
  });

  it('answers nothing for an empty or blank file', () => {
    for (const [format, padded] of [
      ['csv', ' , \n,,'],
      ['tsv', ' \t \r\n\t\t'],
    ] as const) {
      for (const text of ['', '\n\n', '\uFEFF', padded]) {
        expect(parseImport(format, text)).toEqual({ rows: [], errors: [] });
      }
    }
  });
});

describe('parseImport: header rows', () => {
  it('maps aliases case-insensitively, in any order, with a BOM', () => {
    const text = '\uFEFFLogin,Last Name,FIRST_NAME,Password,Type\r\njd,Dupont,Jean,pw,ORGA\r\n';
    expect(parseImport('csv', text)).toEqual({
      rows: [
        {
          row: 1,
          firstname: 'Jean',
          lastname: 'Dupont',
          login: 'jd',
          password: 'pw',
          group: 'orga',
        },
      ],
      errors: [],
    });
  });

  it.each([
    ['firstname\tlastname', 'Jean\tDupont'],
    ['first_name\tlast_name', 'Jean\tDupont'],
    ['first name\tlast name', 'Jean\tDupont'],
    ['Prénom\tNom', 'Jean\tDupont'],
    ['prenom\tnom', 'Jean\tDupont'],
  ])('recognises %j', (header, line) => {
    expect(parseImport('tsv', `${header}\n${line}\n`).rows).toEqual([
      { row: 1, firstname: 'Jean', lastname: 'Dupont' },
    ]);
  });

  it('numbers rows after the header; empty cells are absent', () => {
    const text = 'username,password,group\nalice,,\n\nbob,hunter2,root\n';
    expect(parseImport('csv', text)).toEqual({
      rows: [
        { row: 1, firstname: 'alice', lastname: 'alice', login: 'alice' },
        {
          row: 3,
          firstname: 'bob',
          lastname: 'bob',
          login: 'bob',
          password: 'hunter2',
          group: 'root',
        },
      ],
      errors: [],
    });
  });

  it('does not split login:password when the file has a header', () => {
    expect(parseImport('csv', 'login\nab:cd\n').rows[0]!.login).toBe('ab:cd');
  });

  it.each([
    [
      'login,email\n',
      'header: unknown column "email" (known: firstname, lastname, login, password, group)',
    ],
    ['login,username\n', 'header: column login appears twice'],
  ])('rejects the whole file for a bad header %j', (text, reason) => {
    expect(parseImport('csv', `${text}a,b\n`)).toEqual({ rows: [], errors: [{ row: 0, reason }] });
  });

  it('reports per-row problems with their row numbers', () => {
    const text = [
      'firstname,lastname,login,group',
      'Jean,Dupont,jd',
      ',,,',
      ',,,user',
      'Jean,,,',
      ',Dupont,,',
      'Jean,Dupont,,admin',
      '"Jean,Dupont,,',
    ].join('\n');
    expect(parseImport('csv', text).errors).toEqual([
      { row: 1, reason: 'expected 4 cells (firstname, lastname, login, group), got 3' },
      { row: 3, reason: 'no first name, last name or login' },
      { row: 4, reason: 'last name is empty' },
      { row: 5, reason: 'first name is empty' },
      { row: 6, reason: 'unknown group "admin" (expected user, orga, root)' },
      { row: 7, reason: 'unterminated quoted field' },
    ]);
  });
});

describe('parseImport: JSON', () => {
  it('reads SADM jsonimport files (id ignored) and lanctl keys', () => {
    const text = JSON.stringify([
      { id: 42, username: 'jdupont', first_name: 'jean', last_name: 'dupont', password: 'x' },
      { firstname: 'Élodie', lastname: 'Müller', group: 'orga', login: null },
    ]);
    expect(parseImport('json', `\uFEFF${text}`)).toEqual({
      rows: [
        { row: 1, firstname: 'jean', lastname: 'dupont', login: 'jdupont', password: 'x' },
        { row: 2, firstname: 'Élodie', lastname: 'Müller', group: 'orga' },
      ],
      errors: [],
    });
  });

  it('reports bad items by position', () => {
    const text = JSON.stringify([
      { login: 'ok' },
      { login: 'x', email: 'x@y' },
      'jdupont',
      { login: 'x', username: 'y' },
      { login: 7 },
      null,
      [],
      {},
    ]);
    expect(parseImport('json', text)).toEqual({
      rows: [{ row: 1, firstname: 'ok', lastname: 'ok', login: 'ok' }],
      errors: [
        {
          row: 2,
          reason: 'unknown key "email" (known: firstname, lastname, login, password, group)',
        },
        { row: 3, reason: 'expected an object' },
        { row: 4, reason: 'key "username": login given twice' },
        { row: 5, reason: 'key "login": expected a string' },
        { row: 6, reason: 'expected an object' },
        { row: 7, reason: 'expected an object' },
        { row: 8, reason: 'no first name, last name or login' },
      ],
    });
  });

  it.each([
    ['{"login": "x"}', 'expected a JSON array of objects'],
    ['', /^invalid JSON: /],
    ['[{"login": "x"', /^invalid JSON: /],
  ])('rejects %j as a whole', (text, reason) => {
    const { rows, errors } = parseImport('json', text);
    expect(rows).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.row).toBe(0);
    expect(errors[0]!.reason).toMatch(reason);
  });
});

describe('parseImport never throws (fuzz)', () => {
  const formats = fc.constantFrom<ImportFormat>('csv', 'tsv', 'json');
  const noisy = fc.string({
    unit: fc.oneof(
      fc.constantFrom(',', '\t', '"', '\n', '\r', ':', ' ', '\uFEFF', '[', ']', '{', '}'),
      fc.constantFrom('login', 'first_name', 'nom', 'group', 'root', 'null', '42'),
      fc.string({ unit: 'binary', maxLength: 3 }),
    ),
    maxLength: 60,
  });

  it('answers rows and errors whose numbers point into the file', () => {
    fc.assert(
      fc.property(formats, noisy, (format, text) => {
        const { rows, errors } = parseImport(format, text);
        for (const { row } of [...rows, ...errors]) {
          expect(Number.isInteger(row) && row >= 0).toBe(true);
        }
        for (const row of rows) {
          expect(row.row).toBeGreaterThan(0);
          expect(row.firstname.length > 0 && row.lastname.length > 0).toBe(true);
          expect(row.firstname).toBe(row.firstname.trim());
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('survives JSON-shaped input', () => {
    const item = fc.dictionary(
      fc.constantFrom(
        'login',
        'username',
        'firstname',
        'last_name',
        'password',
        'group',
        'id',
        'x',
      ),
      fc.jsonValue({ maxDepth: 2 }),
    );
    fc.assert(
      fc.property(fc.oneof(fc.array(item, { maxLength: 5 }), fc.jsonValue()), (value) => {
        const result = parseImport('json', JSON.stringify(value) ?? '');
        expect(result.rows.length + result.errors.length).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 500 },
    );
  });
});
