import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHarness, startCliHarness } from '../testing/harness.ts';

let h: CliHarness;
beforeAll(async () => {
  h = await startCliHarness();
});
afterAll(() => h?.stop());

const mode = (path: string) => statSync(path).mode & 0o777;
const file = (name: string, text: string) => {
  const path = join(h.dir, name);
  writeFileSync(path, text);
  return path;
};
/** Every password works for its login (checked in process, concurrently). */
const allLogIn = (pairs: [string, string][]) =>
  Promise.all(pairs.map(([login, password]) => h.udb.login(login, password)));

/** Login and password of each card of the HTML sheet (digits are wrapped in spans). */
function cards(html: string): [string, string][] {
  const card =
    /<dd class="secret login">([^<]*)<\/dd>\s*<dt>Password<\/dt><dd class="secret password">(.*?)<\/dd>/g;
  return [...html.matchAll(card)].map((m) => [m[1]!, m[2]!.replace(/<[^>]*>/g, '')]);
}

const CSV = [
  'First Name,Last Name',
  'Jean-Pierre,De La Tour',
  'Marie,Curie',
  'Marie,Curie',
  'Évariste,Galois',
  'Ada,Lovelace',
].join('\n');
const LOGINS = ['alovelace', 'egalois', 'jpdelatour', 'mcurie', 'mcurie1'];

describe('lanctl user import', () => {
  it('plans on a dry run (nothing written), then imports and writes a 0600 HTML sheet', async () => {
    const csv = file('people.csv', CSV);
    const before = await h.udb.users.listAll();
    const dry = await h.admin(`user import ${csv} --dry-run`);
    expect(dry).toMatchObject({ code: 0, stderr: '' });
    expect(dry.stdout).toMatch(/^ROW +LOGIN +STATUS +REASON\n +1 +jpdelatour +would_create\n/);
    expect(dry.stdout.match(/would_create/g)).toHaveLength(5);
    expect(dry.stdout).toMatch(
      /\ndry run, nothing written: 5 to create, 0 to update, 0 skipped, 0 errors\n$/,
    );
    expect(await h.udb.users.listAll()).toEqual(before);

    const sheet = join(h.dir, 'sheet.html');
    const real = await h.admin(`user import ${csv} --sheet ${sheet}`);
    expect(real).toMatchObject({ code: 0, stderr: '' });
    expect(real.stdout.match(/ created\n/g)).toHaveLength(5);
    expect(real.stdout).toContain(
      `\n5 created, 0 updated, 0 skipped, 0 errors\nwrote html password sheet of 5 accounts to ${sheet} (mode 0600)\n`,
    );
    expect(mode(sheet)).toBe(0o600);
    const html = readFileSync(sheet, 'utf8');
    for (const login of LOGINS) expect(html.split(`>${login}<`)).toHaveLength(2);
    expect(html).toContain('Jean-Pierre De La Tour');
    const pairs = cards(html);
    expect(pairs.map(([login]) => login).sort()).toEqual(LOGINS);
    await allLogIn(pairs);
  });

  it('reports existing logins as error rows (exit 1), or skips them with --ignore', async () => {
    const csv = file('again.csv', 'login,firstname,lastname\nrepeat,Re,Peat\n');
    expect((await h.admin(`user import ${csv} --show-passwords`)).code).toBe(0);
    const [again, ignored] = await Promise.all([
      h.admin(`user import ${csv}`),
      h.admin(`user import ${csv} --ignore --json`),
    ]);
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/^ +1 +repeat +error +\S.*$/m);
    expect(again.stdout).toMatch(/\n0 created, 0 updated, 0 skipped, 1 error\n$/);
    expect(ignored.code).toBe(0);
    expect(JSON.parse(ignored.stdout).results).toEqual([
      expect.objectContaining({ row: 1, login: 'repeat', status: 'skipped' }),
    ]);
  });

  it("reads SADM's two-column First<TAB>Last lines (.txt) and writes its TSV sheet", async () => {
    const txt = file('batch.txt', 'Linus\tTorvalds\nGrace\tHopper\n');
    const tsv = join(h.dir, 'batch.tsv');
    const result = await h.admin(`user import ${txt} --group orga --pwdlen 12 --tsv ${tsv}`);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(mode(tsv)).toBe(0o600);
    const lines = readFileSync(tsv, 'utf8').match(
      /^Linus Torvalds\tltorvalds\t(\S{12})\nGrace Hopper\tghopper\t(\S{12})\n$/,
    );
    expect(lines).not.toBeNull();
    await allLogIn([
      ['ltorvalds', lines![1]!],
      ['ghopper', lines![2]!],
    ]);
    expect((await h.udb.users.get('ghopper')).group).toBe('orga');
  });

  it('warns when generated passwords are neither saved nor shown; --show-passwords prints them', async () => {
    const [lost, shown, reset, format] = await Promise.all([
      h.admin(`user import ${file('lost.csv', 'login\nlost1\nlost2\n')}`),
      h.admin(`user import ${file('shown.csv', 'login\nshown1\n')} --show-passwords`),
      h.admin(`user import ${file('r.csv', 'login\nx\n')} --reset-passwords`),
      h.admin(`user import ${file('people.xls', '')}`),
    ]);
    expect(lost.code).toBe(0);
    expect(lost.stderr).toMatch(
      /^lanctl: warning: 2 generated passwords were not saved .*`lanctl user sheet LOGIN\.\.\. --out FILE`\n$/,
    );
    const pair = shown.stdout.match(/\nLOGIN +PASSWORD\nshown1 +(\S+)\n$/);
    await allLogIn([['shown1', pair![1]!]]);
    expect(shown.stderr).toBe('');
    expect(reset).toMatchObject({
      code: 2,
      stderr: 'lanctl: --reset-passwords only applies with --update\n',
    });
    expect(format.code).toBe(2);
    expect(format.stderr).toMatch(
      /^lanctl: cannot tell the format of \S+people\.xls: pass --format/,
    );
  });
});

describe('lanctl user sheet', () => {
  it('resets and writes a sheet only with --yes or a confirmation, after checking every login', async () => {
    await h.udb.users.create({
      login: 'keep',
      firstname: 'K',
      lastname: 'Eep',
      password: 'Keep-1',
    });
    const out = join(h.dir, 'x.tsv');
    const [refused, missing] = await Promise.all([
      h.admin(`user sheet --group user --out ${out}`),
      h.admin(`user sheet keep nosuch --yes --out ${out}`),
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^lanctl: this resets the passwords of \d+ accounts: pass --yes/,
    );
    expect(missing).toMatchObject({ code: 1, stderr: 'lanctl: user "nosuch" not found\n' });
    expect(existsSync(out)).toBe(false);
    await allLogIn([['keep', 'Keep-1']]);

    const users = await h.udb.users.listAll({ group: 'user' });
    const made = await h.admin(`user sheet --group user --yes --out ${out} --format tsv`);
    expect(made).toMatchObject({ code: 0, stderr: '' });
    expect(made.stdout).toMatch(
      new RegExp(
        `\\nwrote tsv password sheet of ${users.length} accounts to ${out} \\(mode 0600\\)\\n$`,
      ),
    );
    expect(mode(out)).toBe(0o600);
    const rows = readFileSync(out, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\t'));
    expect(rows.every((cells) => cells.length === 3)).toBe(true);
    expect(rows.map(([name, login]) => `${name}/${login}`).sort()).toEqual(
      users.map((u) => `${u.firstname} ${u.lastname}/${u.login}`).sort(),
    );
    await allLogIn(rows.map(([, login, password]): [string, string] => [login!, password!]));
  });
});
