import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { UdbClient } from '@lanctl/client';
import { writeFileAtomic } from '@lanctl/core';
import { GROUPS, type Group, type SheetEntry, type User } from '@lanctl/model';
import { type Command, Option } from 'commander';
import { runEach } from '../batch.ts';
import { apiCommand, type ConnectionOptions, run } from '../command.ts';
import { errorLine, fail, usageError } from '../output.ts';
import { formatTable } from '../table.ts';
import { canPrompt, confirm } from './user-input.ts';
import { connectUdb } from './user-shared.ts';

export type SheetFormat = 'html' | 'tsv';
export const SHEET_FORMATS = ['html', 'tsv'] as const;

/** Where one sheet goes, and in which format. */
export interface SheetTarget {
  file: string;
  format: SheetFormat;
  /** The option that named the file, for messages. */
  flag: string;
}

/** `--format`, else the file's extension: `.tsv` or `.txt` is SADM's TSV, anything else HTML. */
export const sheetFormat = (file: string, format?: SheetFormat): SheetFormat =>
  format ?? (/\.(tsv|txt)$/i.test(file) ? 'tsv' : 'html');

/**
 * Fails now, as a usage error, when a sheet could not be written there: passwords are made only
 * once, so this is checked before any is.
 */
export function checkWritable(target: SheetTarget): void {
  const path = resolve(target.file);
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    // no such file yet: the directory decides
  }
  if (isDirectory) usageError(`${target.flag} ${target.file} is a directory`);
  try {
    accessSync(dirname(path), constants.W_OK);
  } catch (e) {
    usageError(`cannot write ${target.flag} ${target.file}: ${(e as Error).message}`);
  }
}

export const passwordTable = (entries: SheetEntry[]) =>
  formatTable(entries, [
    { header: 'LOGIN', value: (e) => e.login },
    { header: 'PASSWORD', value: (e) => e.password },
  ]);

/**
 * Renders each sheet with udb and writes it with mode 0600 (it holds passwords). If one cannot
 * be written, the passwords go to stdout instead of being lost, and the exit code is 1.
 */
export async function saveSheets(
  udb: UdbClient,
  entries: SheetEntry[],
  targets: SheetTarget[],
  title?: string,
  log: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  for (const target of targets) {
    try {
      const text = await udb.renderSheet({ entries, format: target.format, title });
      writeFileAtomic(target.file, text, 0o600);
      const accounts = `${entries.length} account${entries.length === 1 ? '' : 's'}`;
      log.write(
        `wrote ${target.format} password sheet of ${accounts} to ${target.file} (mode 0600)\n`,
      );
    } catch (e) {
      process.stderr.write(
        `lanctl: cannot write ${target.flag} ${target.file}: ${errorLine(e)}; the passwords, which exist nowhere else:\n`,
      );
      process.stdout.write(passwordTable(entries));
      process.exitCode = 1;
      return;
    }
  }
}

interface SheetOptions extends ConnectionOptions {
  group?: Group;
  out: string;
  format?: SheetFormat;
  title?: string;
  yes?: boolean;
}

async function selectUsers(udb: UdbClient, logins: string[], o: SheetOptions): Promise<User[]> {
  if (logins.length > 0 && o.group) usageError('give logins or --group, not both');
  if (logins.length === 0 && !o.group) usageError('give the logins, or --group');
  const users = o.group
    ? await udb.users.listAll({ group: o.group })
    : await Promise.all([...new Set(logins)].map((login) => udb.users.get(login)));
  if (users.length === 0) fail(`no users in group ${o.group}`);
  return users;
}

async function confirmReset(users: User[], yes: boolean | undefined): Promise<void> {
  if (yes) return;
  const what = `the passwords of ${users.length} account${users.length === 1 ? '' : 's'}`;
  if (!canPrompt()) usageError(`this resets ${what}: pass --yes to do it without a terminal`);
  const names = users.slice(0, 5).map((u) => u.login);
  const list = `${names.join(', ')}${users.length > names.length ? ', ...' : ''}`;
  if (!(await confirm(`Reset ${what} (${list})? Their current passwords stop working.`))) {
    fail('nothing was changed');
  }
}

/** Resets the users' passwords (asking first), then writes the sheet of the new ones. */
async function sheet(logins: string[], o: SheetOptions): Promise<void> {
  const target: SheetTarget = { file: o.out, format: sheetFormat(o.out, o.format), flag: '--out' };
  checkWritable(target);
  const udb = connectUdb(o);
  const users = await selectUsers(udb, logins, o);
  await confirmReset(users, o.yes);
  const byLogin = new Map(users.map((u) => [u.login, u]));
  const entries: SheetEntry[] = [];
  await runEach([...byLogin.keys()], async (login) => {
    const { password } = await udb.setPassword(login, {});
    if (password === undefined) throw new Error('udb answered without a new password');
    const { firstname, lastname } = byLogin.get(login)!;
    entries.push({ login, firstname, lastname, password });
    return `reset: ${login}`;
  });
  if (entries.length > 0) await saveSheets(udb, entries, [target], o.title);
}

export function registerUserSheet(user: Command): void {
  apiCommand(
    user,
    'sheet [login...]',
    'reset the passwords of these users (or of --group) and write a password sheet of the new ' +
      'ones: how a lost sheet is made again, since passwords are kept nowhere',
  )
    .addOption(new Option('--group <group>', 'every user of this group').choices(GROUPS))
    .requiredOption('--out <file>', 'the sheet to write (mode 0600)')
    .addOption(
      new Option(
        '--format <format>',
        'html (printable cards) or tsv (SADM pwdsheetdata); default from --out: .tsv/.txt is tsv, else html',
      ).choices(SHEET_FORMATS),
    )
    .option('--title <text>', 'title printed on each card')
    .option('--yes', 'do not ask for confirmation (needed without a terminal)')
    .action(run(sheet));
}
