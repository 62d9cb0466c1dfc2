import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { User } from '@lanctl/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHarness, startCliHarness } from '../testing/harness.ts';

let h: CliHarness;
beforeAll(async () => {
  h = await startCliHarness();
});
afterAll(() => h?.stop());

const json = <T>(stdout: string) => JSON.parse(stdout) as T;
const KEY_A = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAaaaa laptop';
const KEY_B = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBbbbb desktop';

/** A person with a known password, and their session token. */
async function person(login: string, group: User['group'], password: string): Promise<string> {
  await h.udb.users.create({ login, firstname: 'Test', lastname: login, group, password });
  return (await h.udb.login(login, password)).token;
}

describe('lanctl user add, list, show, mod, del', () => {
  it('adds users with a generated (shown once) or given password, and lists and shows them', async () => {
    const keys = join(h.dir, 'a.pub');
    writeFileSync(keys, `# my laptop\n${KEY_A}\n\n`);
    const given = '--group orga --uid 11500 --shell /bin/zsh --password-stdin --json';
    const [added, chosen] = await Promise.all([
      h.admin(`user add jdoe --firstname John --lastname Doe --ssh-key-file ${keys}`),
      h.admin(`user add ada --firstname Ada --lastname Lovelace ${given}`, {
        input: 'Analytical engine 1\n',
      }),
    ]);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    const generated = added.stdout.match(
      /^created: user jdoe \(John Doe, user, uid \d+\)\ngenerated password for jdoe \(shown once\): (\S+)\n$/,
    );
    expect(generated).not.toBeNull();
    expect((await h.udb.login('jdoe', generated![1]!)).user.ssh_keys).toEqual([KEY_A]);
    const ada = json<User & { password?: string }>(chosen.stdout);
    expect(ada).toMatchObject({ login: 'ada', group: 'orga', uid: 11500, shell: '/bin/zsh' });
    expect(ada.password).toBeUndefined();
    expect((await h.udb.login('ada', 'Analytical engine 1')).user.login).toBe('ada');

    const [orgas, found, shown] = await Promise.all([
      h.admin('user list --group orga --json'),
      h.admin('user list -q LOVE'),
      h.admin('user show jdoe'),
    ]);
    expect(json<User[]>(orgas.stdout).map((u) => u.login)).toEqual(['ada']);
    expect(found.stdout).toMatch(
      /^LOGIN +UID +GROUP +FIRSTNAME +LASTNAME +SHELL +SSH KEYS\nada +11500 +orga +Ada +Lovelace +\/bin\/zsh +0\n$/,
    );
    expect(shown.stdout).toMatch(/^lastname: +Doe$/m);
    expect(shown.stdout).toContain(`ssh key:    ${KEY_A}\n`);
  });

  it('changes only what is given (SADM usermod), keys replaced, added or cleared', async () => {
    const b = join(h.dir, 'b.pub');
    const sameAsA = KEY_A.replace('laptop', 'same key, other comment');
    writeFileSync(b, `${KEY_B}\n${sameAsA}\n`);
    await h.udb.users.create({
      login: 'kim',
      firstname: 'Kim',
      lastname: 'Lee',
      ssh_keys: [KEY_A],
    });
    const added = await h.admin(`user mod kim --lastname Park --add-ssh-key-file ${b} --json`);
    expect(json<User>(added.stdout)).toMatchObject({ lastname: 'Park', ssh_keys: [KEY_A, KEY_B] });
    const replaced = await h.admin(`user mod kim --ssh-key-file ${b} --shell /bin/sh`);
    expect(replaced.stdout).toMatch(/^updated: user kim \(Kim Park, user, uid \d+\)\n$/);
    expect(await h.udb.users.get('kim')).toMatchObject({
      shell: '/bin/sh',
      ssh_keys: [KEY_B, sameAsA],
    });

    const [cleared, nothing, both, group] = await Promise.all([
      h.admin('user mod kim --clear-ssh-keys'),
      h.admin('user mod kim'),
      h.admin(`user mod kim --clear-ssh-keys --ssh-key-file ${b}`),
      h.admin('user mod kim --group god'),
    ]);
    expect(cleared.code).toBe(0);
    expect((await h.udb.users.get('kim')).ssh_keys).toEqual([]);
    expect(nothing).toMatchObject({
      code: 2,
      stderr: 'lanctl: nothing to change: give at least one option\n',
    });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(
      /^lanctl: option '--clear-ssh-keys' cannot be used with option '--ssh-key-file/,
    );
    expect(group.code).toBe(2);
  });

  it('deletes several users with a result per item and exit 1 if any failed', async () => {
    await h.udb.users.create({ login: 'gone', firstname: 'Gone', lastname: 'Soon', uid: 10900 });
    const removed = await h.admin('user del gone nosuch');
    expect(removed).toMatchObject({
      code: 1,
      stdout: 'deleted: user gone (Gone Soon, user, uid 10900)\n',
      stderr: 'lanctl: nosuch: user "nosuch" not found\nlanctl: 1 of 2 failed\n',
    });
  });
});

describe('lanctl user passwd', () => {
  it('resets to a generated password that then logs in, or sets one from stdin', async () => {
    await person('bob', 'user', 'Initial-1');
    const reset = await h.admin('user passwd bob');
    const match = reset.stdout.match(
      /^new password for bob \(shown once, kept nowhere\): (\S+)\n$/,
    );
    expect(match).not.toBeNull();
    const login = await h.lanctl(`login bob --url ${h.url} --password-stdin`, {
      input: `${match![1]}\n`,
    });
    expect(login).toMatchObject({ code: 0, stderr: '' });
    expect(login.stdout).toMatch(/^logged in to \S+ as bob \(role user, user token until /);
    await expect(h.udb.login('bob', 'Initial-1')).rejects.toMatchObject({
      code: 'invalid_credentials',
    });

    const set = await h.admin('user passwd bob --password-stdin', { input: 'Chosen pass 2\n' });
    expect(set).toMatchObject({ code: 0, stdout: 'password set for bob\n' });
    expect((await h.udb.login('bob', 'Chosen pass 2')).user.login).toBe('bob');
  });

  it('lets a contestant change their own password with the current one (two stdin lines)', async () => {
    const carol = await person('carol', 'user', 'Old-pass1');
    const [wrong, short, list, other] = await Promise.all([
      h.as(carol, 'user passwd carol', { input: 'not-it\nNew-pass2\n' }),
      h.as(carol, 'user passwd carol', { input: 'Old-pass1\n' }),
      h.as(carol, 'user list'),
      h.as(carol, 'user passwd bob'),
    ]);
    expect(wrong).toMatchObject({
      code: 1,
      stderr: 'lanctl: current_password is missing or wrong\n',
    });
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/the new password is missing/);
    expect(list).toMatchObject({
      code: 1,
      stderr: 'lanctl: role user may only read its own record\n',
    });
    expect(other.code).toBe(1);

    const changed = await h.as(carol, 'user passwd', { input: 'Old-pass1\nNew pass 2\n' });
    expect(changed).toMatchObject({ code: 0, stdout: 'password changed for carol\n' });
    expect((await h.udb.login('carol', 'New pass 2')).user.login).toBe('carol');
  });
});

describe('organizers', () => {
  it('may manage contestants but not create or promote a root (one line, exit 1)', async () => {
    const olga = await person('olga', 'orga', 'Orga-pass1');
    const [root, user] = await Promise.all([
      h.as(olga, 'user add boss --firstname Big --lastname Boss --group root'),
      h.as(olga, 'user add dave --firstname Dave --lastname Grohl'),
    ]);
    expect(root).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'lanctl: role orga may not create a root account\n',
    });
    expect(user.code).toBe(0);
    const promote = await h.as(olga, 'user mod dave --group root');
    expect(promote).toMatchObject({
      code: 1,
      stderr: 'lanctl: role orga may not make a root account\n',
    });
  });
});
