import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { ImportRequestInput, ImportResponse, UdbClient } from '@lanctl/client';
import { GROUPS, type Group, type ImportResult, type SheetEntry } from '@lanctl/model';
import { type Command, Option } from 'commander';
import { apiCommand, type ConnectionOptions, run } from '../command.ts';
import { printJson, usageError } from '../output.ts';
import { formatTable } from '../table.ts';
import { connectUdb, parsePositive } from './user-shared.ts';
import { checkWritable, passwordTable, type SheetTarget, saveSheets } from './user-sheet.ts';

type ImportFormat = ImportRequestInput['format'];
const IMPORT_FORMATS = ['csv', 'tsv', 'json'] as const;
const BY_EXTENSION: Record<string, ImportFormat> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.txt': 'tsv',
  '.json': 'json',
};

interface ImportOptions extends ConnectionOptions {
  format?: ImportFormat;
  group?: Group;
  update?: boolean;
  ignore?: boolean;
  dryRun?: boolean;
  pwdlen?: number;
  resetPasswords?: boolean;
  sheet?: string;
  tsv?: string;
  title?: string;
  showPasswords?: boolean;
  json?: boolean;
}

function request(file: string, o: ImportOptions): ImportRequestInput {
  if (o.resetPasswords && !o.update) usageError('--reset-passwords only applies with --update');
  const format = o.format ?? BY_EXTENSION[extname(file).toLowerCase()];
  if (!format) usageError(`cannot tell the format of ${file}: pass --format csv, tsv or json`);
  let data: string;
  try {
    data = readFileSync(file, 'utf8');
  } catch (e) {
    usageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  return {
    format,
    data,
    group: o.group,
    mode: o.update ? 'update' : o.ignore ? 'ignore' : 'create',
    dry_run: Boolean(o.dryRun),
    password_length: o.pwdlen,
    reset_passwords: Boolean(o.resetPasswords),
  };
}

function sheetTargets(o: ImportOptions): SheetTarget[] {
  const targets: SheetTarget[] = [];
  if (o.sheet) targets.push({ file: o.sheet, format: 'html', flag: '--sheet' });
  if (o.tsv) targets.push({ file: o.tsv, format: 'tsv', flag: '--tsv' });
  return targets;
}

function summaryLine({ dry_run, summary: s }: ImportResponse): string {
  const errors = `${s.error} error${s.error === 1 ? '' : 's'}`;
  return dry_run
    ? `dry run, nothing written: ${s.would_create ?? 0} to create, ${s.would_update ?? 0} to update, ${s.skipped} skipped, ${errors}`
    : `${s.created} created, ${s.updated} updated, ${s.skipped} skipped, ${errors}`;
}

function printResults(response: ImportResponse): void {
  if (response.results.length > 0) {
    process.stdout.write(
      formatTable(response.results, [
        { header: 'ROW', value: (r) => r.row, align: 'right' },
        { header: 'LOGIN', value: (r) => r.login ?? '-' },
        { header: 'STATUS', value: (r) => r.status },
        { header: 'REASON', value: (r) => r.reason },
      ]),
    );
  }
  process.stdout.write(`${summaryLine(response)}\n`);
}

/** Sheet entries for rows that got a password; the names are udb's (title-cased on import). */
async function sheetEntries(udb: UdbClient, rows: ImportResult[]): Promise<SheetEntry[]> {
  const byLogin = new Map((await udb.users.listAll()).map((u) => [u.login, u]));
  return rows.map((r) => {
    const user = byLogin.get(r.login!);
    return {
      login: r.login!,
      firstname: user?.firstname ?? '',
      lastname: user?.lastname ?? '',
      password: r.password!,
    };
  });
}

async function handOut(udb: UdbClient, rows: ImportResult[], o: ImportOptions): Promise<void> {
  const targets = sheetTargets(o);
  const entries = await sheetEntries(udb, rows);
  if (targets.length > 0) {
    await saveSheets(udb, entries, targets, o.title, o.json ? process.stderr : process.stdout);
  }
  if (o.json) return; // the passwords are in the JSON answer
  if (o.showPasswords) process.stdout.write(passwordTable(entries));
  else if (targets.length === 0) {
    process.stderr.write(
      `lanctl: warning: ${rows.length} generated password${rows.length === 1 ? ' was' : 's were'} ` +
        'not saved (no --sheet, --tsv or --show-passwords) and udb keeps none: to hand them out, ' +
        'reset them into a new sheet with `lanctl user sheet LOGIN... --out FILE`\n',
    );
  }
}

/** Why a requested sheet is missing, or lacks some of the new accounts. */
function sheetNotes(response: ImportResponse, withPassword: number, requested: boolean): void {
  if (!requested) return;
  const note = (text: string) => process.stderr.write(`lanctl: note: ${text}\n`);
  if (response.dry_run) {
    note('dry run: no sheet written');
    return;
  }
  if (withPassword === 0) note('no account got a new password: no sheet written');
  const given = response.results.filter((r) => r.status === 'created' && !r.password).length;
  if (given > 0) {
    note(
      given === 1
        ? '1 created account took its password from the file and is not on the sheet'
        : `${given} created accounts took their password from the file and are not on the sheet`,
    );
  }
}

/** SADM's batchimport: one result per row, the password sheet written right after. */
async function importUsers(file: string, o: ImportOptions): Promise<void> {
  const body = request(file, o);
  for (const target of sheetTargets(o)) checkWritable(target);
  const udb = connectUdb(o);
  const response = await udb.importUsers(body);
  if (o.json) printJson(response);
  else printResults(response);
  const rows = response.results.filter((r) => r.password !== undefined && r.login !== null);
  if (rows.length > 0) await handOut(udb, rows, o);
  sheetNotes(response, rows.length, sheetTargets(o).length > 0);
  if (response.summary.error > 0) process.exitCode = 1;
}

export function registerUserImport(user: Command): void {
  apiCommand(
    user,
    'import <file>',
    'create users from a CSV, TSV or JSON file (SADM batchimport/jsonimport), one result a row',
  )
    .addOption(
      new Option(
        '--format <format>',
        'file format (default from the extension; .txt is tsv)',
      ).choices(IMPORT_FORMATS),
    )
    .addOption(
      new Option('--group <group>', 'group of rows that name none (default: user)').choices(GROUPS),
    )
    .addOption(new Option('--update', 'change users that already exist').conflicts('ignore'))
    .option('--ignore', 'skip users that already exist (default: such a row is an error)')
    .option('--dry-run', 'show what would happen; write nothing')
    .option('--pwdlen <n>', 'length of generated passwords (default: 8)', parsePositive)
    .option('--reset-passwords', 'with --update: give updated users a new generated password too')
    .option('--sheet <file>', 'write the printable HTML password sheet here (mode 0600)')
    .option('--tsv <file>', "write SADM's TSV password sheet here (mode 0600)")
    .option('--title <text>', 'title printed on each card of --sheet')
    .option('--show-passwords', 'also print the generated passwords')
    .option('--json', 'print the whole answer (passwords included) as JSON')
    .action(run(importUsers));
}
