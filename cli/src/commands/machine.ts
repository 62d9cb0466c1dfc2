import { readFileSync } from 'node:fs';
import {
  createMdbClient,
  isApiError,
  type MachineCreateInput,
  type MachineUpdateInput,
  type MdbClient,
} from '@lanctl/client';
import {
  MACHINE_CSV_COLUMNS,
  type Machine,
  type MachineImportResult,
  parseMachineCsv,
} from '@lanctl/model';
import { type Command, Option } from 'commander';
import { runEach } from '../batch.ts';
import {
  addWord,
  apiCommand,
  type ConnectionOptions,
  connect,
  connection,
  run,
} from '../command.ts';
import { fail, printDone, printJson, printList, printRecord, usageError } from '../output.ts';
import { parseList, parseServerNumber, pickDefined } from '../parse.ts';
import { type Column, formatTable } from '../table.ts';

const COLUMNS: Column<Machine>[] = [
  { header: 'HOSTNAME', value: (m) => m.hostname },
  { header: 'IP', value: (m) => m.ip },
  { header: 'MAC', value: (m) => m.mac },
  { header: 'TYPE', value: (m) => m.mtype },
  { header: 'ROOM', value: (m) => m.room },
  { header: 'RFS', value: (m) => m.rfs, align: 'right' },
  { header: 'HFS', value: (m) => m.hfs, align: 'right' },
  { header: 'ALIASES', value: (m) => m.aliases.join(',') },
  { header: 'FAULTY', value: (m) => (m.is_faulty ? m.is_faulty_details || 'yes' : '') },
];

const describe = (m: Machine) => `${m.hostname} (${m.ip}, ${m.mac})`;

/** The options `add` and `edit` share; `edit` gives --ip and --uuid a way to unset. */
interface FieldOptions {
  mac?: string;
  aliases?: string[];
  ip?: string;
  rfs?: number;
  hfs?: number;
  mtype?: string;
  room?: string;
  uuid?: string;
  bootProfile?: string;
}

function fieldOptions(cmd: Command, edit: boolean): Command {
  return cmd
    .option('--mac <mac>', 'MAC address (aa:bb:cc:dd:ee:ff, AA-BB-CC-DD-EE-FF or aabb.ccdd.eeff)')
    .option('--aliases <list>', 'other host names, comma-separated ("" clears them)', parseList)
    .option(
      '--ip <address>',
      edit
        ? 'IPv4 address, or "auto" for a fresh one from the pool'
        : 'IPv4 address (default: next free in the pool)',
    )
    .option('--rfs <n>', "number of the machine's RFS server", parseServerNumber)
    .option('--hfs <n>', "number of the machine's HFS server", parseServerNumber)
    .option('--mtype <type>', 'machine type (default on create: orga)')
    .option('--room <room>', 'room (default on create: other)')
    .option('--uuid <uuid>', edit ? 'SMBIOS system UUID, or "none"' : 'SMBIOS system UUID')
    .option(
      '--boot-profile <profile>',
      edit
        ? 'boot profile to always boot, or "none" (by type and room)'
        : 'boot profile to always boot (default: chosen by type and room)',
    )
    .option('--json', 'print the resulting machine as JSON');
}

/** A machine by hostname, or null when there is none (any other failure still throws). */
async function findMachine(client: MdbClient, hostname: string): Promise<Machine | null> {
  try {
    return await client.machines.get(hostname);
  } catch (e) {
    if (isApiError(e) && e.status === 404) return null;
    throw e;
  }
}

interface AddOptions extends FieldOptions, ConnectionOptions {
  hostname: string;
  update?: boolean;
  json?: boolean;
}

/**
 * SADM's `addmachine`: create the machine, or with --update and an existing hostname change only
 * the options given (so re-running a provisioning script is harmless).
 */
async function addMachine(o: AddOptions): Promise<void> {
  const client = connect(o);
  const fields: MachineUpdateInput = {
    ...pickDefined(o, ['mac', 'aliases', 'ip', 'rfs', 'hfs', 'mtype', 'room', 'uuid']),
    ...(o.bootProfile === undefined ? {} : { boot_profile: o.bootProfile }),
  };
  if (o.update) {
    const current = await findMachine(client, o.hostname);
    if (current) {
      const updated = await client.machines.update(current.hostname, fields);
      const verb = updated.updated_at === current.updated_at ? 'unchanged' : 'updated';
      return printDone(updated, `${verb}: machine ${describe(updated)}`, Boolean(o.json));
    }
  }
  if (o.mac === undefined) usageError('--mac is required to create a machine');
  const input: MachineCreateInput = {
    ...(fields as MachineCreateInput),
    hostname: o.hostname,
    mac: o.mac,
  };
  const created = await client.machines.create(input);
  printDone(created, `created: machine ${describe(created)}`, Boolean(o.json));
}

interface EditOptions extends FieldOptions, ConnectionOptions {
  hostname?: string;
  faulty?: string;
  notFaulty?: boolean;
  json?: boolean;
}

function editPatch(o: EditOptions): MachineUpdateInput {
  const patch: MachineUpdateInput = pickDefined(o, [
    'hostname',
    'mac',
    'aliases',
    'rfs',
    'hfs',
    'mtype',
    'room',
  ]);
  if (o.ip !== undefined) patch.ip = o.ip === 'auto' ? null : o.ip;
  if (o.uuid !== undefined) patch.uuid = o.uuid === 'none' ? null : o.uuid;
  if (o.bootProfile !== undefined)
    patch.boot_profile = o.bootProfile === 'none' ? null : o.bootProfile;
  if (o.faulty !== undefined)
    Object.assign(patch, { is_faulty: true, is_faulty_details: o.faulty });
  if (o.notFaulty) Object.assign(patch, { is_faulty: false, is_faulty_details: '' });
  return patch;
}

interface ListOptions extends ConnectionOptions {
  mtype?: string;
  room?: string;
  search?: string;
  q?: string;
  faulty?: boolean;
  mac?: string;
  ip?: string;
  json?: boolean;
}

function registerList(machine: Command): void {
  apiCommand(machine, 'list', 'list machines (all of them, page after page)')
    .option('--mtype <type>', 'only this machine type')
    .option('--room <room>', 'only this room')
    .option('-q, --search <text>', 'substring of hostname, alias, IP or MAC')
    .addOption(new Option('--q <text>', 'same as --search').hideHelp())
    .option('--faulty', 'only machines marked faulty')
    .option('--no-faulty', 'only machines not marked faulty')
    .option('--mac <mac>', 'only the machine with this MAC')
    .option('--ip <address>', 'only the machine with this address')
    .option('--json', 'print a JSON array')
    .action(
      run(async (o: ListOptions) => {
        const { mtype, room, faulty, mac, ip } = o;
        const machines = await connect(o).machines.listAll({
          mtype,
          room,
          faulty,
          mac,
          ip,
          q: o.search ?? o.q,
        });
        printList(machines, COLUMNS, Boolean(o.json), 'machines');
      }),
    );
}

function registerEdit(machine: Command): void {
  fieldOptions(apiCommand(machine, 'edit <hostname>', 'change a machine'), true)
    .option('--hostname <name>', 'rename the machine')
    .addOption(
      new Option('--faulty <reason>', 'mark the machine faulty, saying why').conflicts('notFaulty'),
    )
    .option('--not-faulty', 'clear the faulty mark')
    .action(
      run(async (hostname: string, o: EditOptions) => {
        const patch = editPatch(o);
        if (Object.keys(patch).length === 0)
          usageError('nothing to change: give at least one option');
        const updated = await connect(o).machines.update(hostname, patch);
        printDone(updated, `updated: machine ${describe(updated)}`, Boolean(o.json));
      }),
    );
}

const IMPORT_TIMEOUT_MS = 10 * 60_000;

interface ImportOptions extends ConnectionOptions {
  dryRun?: boolean;
  json?: boolean;
}

type RowError = { row: number; field?: string; message: string };

/** Row errors as `lanctl: FILE row N: field: message` lines, then a one-line verdict (exit 1). */
function failRows(file: string, errors: RowError[], json: boolean): never {
  if (json) printJson({ errors });
  for (const e of errors) {
    const where = e.row === 0 ? file : `${file} row ${e.row}`;
    process.stderr.write(`lanctl: ${where}: ${e.field ? `${e.field}: ` : ''}${e.message}\n`);
  }
  const rows = new Set(errors.map((e) => e.row)).size;
  fail(
    `import refused: ${errors.length} error${errors.length === 1 ? '' : 's'} in ${rows} row${rows === 1 ? '' : 's'}, nothing was written`,
  );
}

/** `lanctl machine import FILE.csv`: parsed here, created by mdb all or nothing. */
async function importMachines(file: string, o: ImportOptions): Promise<void> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    usageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const csv = parseMachineCsv(text);
  if (csv.errors.length > 0) failRows(file, csv.errors, Boolean(o.json));
  // One transaction creates every row: thousands take seconds (about 4 ms a row on PostgreSQL).
  const { url, token } = connection(o);
  const client = token
    ? createMdbClient({ baseUrl: url, token, timeoutMs: IMPORT_TIMEOUT_MS })
    : connect(o);
  let result: MachineImportResult;
  try {
    result = await client.machines.import(csv.rows as MachineCreateInput[], { dryRun: o.dryRun });
  } catch (e) {
    if (!isApiError(e) || e.code !== 'import_invalid') throw e;
    // The API numbers rows within what was sent; the file's data rows are csv.lines.
    const errors = (e.details as unknown as RowError[]).map((d) => ({
      ...d,
      row: csv.lines[d.row - 1] ?? d.row,
    }));
    failRows(file, errors, Boolean(o.json));
  }
  if (o.json) return printJson(result);
  const rows = result.results.map((r) => ({ ...r, row: csv.lines[r.row - 1] ?? r.row }));
  process.stdout.write(
    formatTable(rows, [
      { header: 'ROW', value: (r) => r.row, align: 'right' },
      { header: 'HOSTNAME', value: (r) => r.hostname },
      { header: 'IP', value: (r) => r.ip },
      { header: 'MAC', value: (r) => r.mac },
    ]),
  );
  const n = `${result.created} machine${result.created === 1 ? '' : 's'}`;
  process.stdout.write(
    result.dry_run ? `dry run, nothing written: ${n} would be created\n` : `created ${n}\n`,
  );
}

function registerImport(machine: Command): void {
  apiCommand(
    machine,
    'import <file>',
    `create machines from a CSV file, all or nothing (header row; columns ${MACHINE_CSV_COLUMNS.join(', ')}; aliases space-separated)`,
  )
    .option('--dry-run', 'check every row and show the addresses, write nothing')
    .option('--json', 'print the result (or the errors) as JSON')
    .action(run(importMachines));
}

export function registerMachine(program: Command): void {
  const machine = addWord(program, 'machine', 'machines in the machine database (mdb)');
  fieldOptions(
    apiCommand(
      machine,
      'add',
      'create a machine (SADM addmachine); --update changes an existing one',
    ),
    false,
  )
    .requiredOption('--hostname <name>', 'host name (an RFC 1123 label)')
    .option('--update', 'if the hostname exists, change only the options given')
    .action(run(addMachine));
  apiCommand(machine, 'del <hostname...>', 'delete machines (each reported on its own)').action(
    run(async (hostnames: string[], o: ConnectionOptions) => {
      const client = connect(o);
      await runEach(
        hostnames,
        async (h) => `deleted: machine ${describe(await client.machines.remove(h))}`,
      );
    }),
  );
  registerList(machine);
  apiCommand(machine, 'show <hostname>', 'show one machine')
    .option('--json', 'print JSON')
    .action(
      run(async (hostname: string, o: ConnectionOptions & { json?: boolean }) => {
        const m = await connect(o).machines.get(hostname);
        const entries: [string, unknown][] = [
          ...COLUMNS.map((c): [string, unknown] => [c.header.toLowerCase(), c.value(m)]),
          ['uuid', m.uuid ?? ''],
          ['boot profile', m.boot_profile ?? '(by type and room)'],
          ['created', m.created_at],
          ['updated', m.updated_at],
        ];
        printRecord(m, entries, Boolean(o.json));
      }),
    );
  registerEdit(machine);
  registerImport(machine);
}
