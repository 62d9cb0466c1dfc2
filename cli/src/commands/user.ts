import type { UdbClient, UserCreateInput, UserUpdateInput } from '@lanctl/client';
import { GROUPS, type Group } from '@lanctl/model';
import { type Command, Option } from 'commander';
import { runEach } from '../batch.ts';
import { addWord, apiCommand, type ConnectionOptions, run } from '../command.ts';
import { printDone, printJson, printList, printRecord, usageError } from '../output.ts';
import { pickDefined } from '../parse.ts';
import { registerUserImport } from './user-import.ts';
import { stdinLines } from './user-input.ts';
import { registerUserPasswd } from './user-passwd.ts';
import {
  collect,
  connectUdb,
  describeUser,
  parseUid,
  readSshKeyFiles,
  USER_COLUMNS,
  uniqueKeys,
} from './user-shared.ts';
import { registerUserSheet } from './user-sheet.ts';

interface FieldOptions extends ConnectionOptions {
  firstname?: string;
  lastname?: string;
  group?: Group;
  uid?: number;
  shell?: string;
  sshKeyFile?: string[];
  json?: boolean;
}

function fieldOptions(cmd: Command, edit: boolean): Command {
  const first = new Option('--firstname <name>', 'first name');
  const last = new Option('--lastname <name>', 'last name');
  return cmd
    .addOption(edit ? first : first.makeOptionMandatory())
    .addOption(edit ? last : last.makeOptionMandatory())
    .addOption(
      new Option('--group <group>', edit ? 'move to this group' : 'group (default: user)').choices(
        GROUPS,
      ),
    )
    .option(
      '--uid <n>',
      edit ? 'change the uid' : 'uid (default: next free of the group)',
      parseUid,
    )
    .option('--shell <path>', 'login shell (default on create: /bin/bash)')
    .option(
      '--ssh-key-file <file>',
      edit
        ? 'replace the SSH keys with the keys of this file (repeatable)'
        : 'SSH public keys, one a line (repeatable)',
      collect,
    )
    .option('--json', 'print the resulting user as JSON');
}

interface AddOptions extends FieldOptions {
  firstname: string;
  lastname: string;
  passwordStdin?: boolean;
}

async function addUser(login: string, o: AddOptions): Promise<void> {
  const input: UserCreateInput = {
    login,
    ...pickDefined(o, ['firstname', 'lastname', 'group', 'uid', 'shell']),
    firstname: o.firstname,
    lastname: o.lastname,
  };
  if (o.sshKeyFile) input.ssh_keys = readSshKeyFiles(o.sshKeyFile, '--ssh-key-file');
  if (o.passwordStdin) [input.password] = await stdinLines(1, ['the password']);
  const created = await connectUdb(o).users.create(input);
  if (o.json) return printJson(created);
  const { password, ...user } = created;
  process.stdout.write(`created: user ${describeUser(user)}\n`);
  if (password !== undefined) {
    process.stdout.write(`generated password for ${user.login} (shown once): ${password}\n`);
  }
}

interface ModOptions extends FieldOptions {
  addSshKeyFile?: string[];
  clearSshKeys?: boolean;
}

/** The new key list, or undefined when no key option was given. */
async function keysPatch(udb: UdbClient, login: string, o: ModOptions) {
  if (o.clearSshKeys) return [];
  let keys = o.sshKeyFile ? readSshKeyFiles(o.sshKeyFile, '--ssh-key-file') : undefined;
  if (o.addSshKeyFile) {
    const added = readSshKeyFiles(o.addSshKeyFile, '--add-ssh-key-file');
    keys = [...(keys ?? (await udb.users.get(login)).ssh_keys), ...added];
  }
  return keys && uniqueKeys(keys);
}

/** SADM's usermod: change only what is given. */
async function modUser(login: string, o: ModOptions): Promise<void> {
  const udb = connectUdb(o);
  const patch: UserUpdateInput = pickDefined(o, ['firstname', 'lastname', 'group', 'uid', 'shell']);
  const keys = await keysPatch(udb, login, o);
  if (keys) patch.ssh_keys = keys;
  if (Object.keys(patch).length === 0) usageError('nothing to change: give at least one option');
  const updated = await udb.users.update(login, patch);
  printDone(updated, `updated: user ${describeUser(updated)}`, Boolean(o.json));
}

function registerReads(user: Command): void {
  apiCommand(user, 'list', 'list users (all of them, page after page)')
    .addOption(new Option('--group <group>', 'only this group').choices(GROUPS))
    .option('-q, --search <text>', 'substring of login, first or last name')
    .option('--json', 'print a JSON array')
    .action(
      run(async (o: ConnectionOptions & { group?: Group; search?: string; json?: boolean }) => {
        const users = await connectUdb(o).users.listAll({ group: o.group, q: o.search });
        printList(users, USER_COLUMNS, Boolean(o.json), 'users');
      }),
    );
  apiCommand(user, 'show <login>', 'show one user')
    .option('--json', 'print JSON')
    .action(
      run(async (login: string, o: ConnectionOptions & { json?: boolean }) => {
        const u = await connectUdb(o).users.get(login);
        const keys = u.ssh_keys.length ? u.ssh_keys : ['none'];
        printRecord(
          u,
          [
            ...USER_COLUMNS.slice(0, -1).map((c): [string, unknown] => [
              c.header.toLowerCase(),
              c.value(u),
            ]),
            ...keys.map((key): [string, unknown] => ['ssh key', key]),
            ['created', u.created_at],
            ['updated', u.updated_at],
          ],
          Boolean(o.json),
        );
      }),
    );
}

export function registerUser(program: Command): void {
  const user = addWord(program, 'user', 'accounts in the user database (udb)');
  fieldOptions(apiCommand(user, 'add <login>', 'create a user'), false)
    .option(
      '--password-stdin',
      'read the password from the first line of stdin (default: generate one, shown once)',
    )
    .action(run(addUser));
  fieldOptions(apiCommand(user, 'mod <login>', 'change a user (SADM usermod)'), true)
    .addOption(
      new Option('--add-ssh-key-file <file>', 'add the keys of this file (repeatable)')
        .argParser(collect)
        .conflicts('clearSshKeys'),
    )
    .addOption(new Option('--clear-ssh-keys', 'remove every SSH key').conflicts('sshKeyFile'))
    .action(run(modUser));
  apiCommand(user, 'del <login...>', 'delete users (each reported on its own)').action(
    run(async (logins: string[], o: ConnectionOptions) => {
      const udb = connectUdb(o);
      await runEach(
        logins,
        async (l) => `deleted: user ${describeUser(await udb.users.remove(l))}`,
      );
    }),
  );
  registerReads(user);
  registerUserPasswd(user);
  registerUserImport(user);
  registerUserSheet(user);
}
