import {
  isApiError,
  type MachineCreateInput,
  type MachineUpdateInput,
  type MdbClient,
} from '@lanctl/client';
import type { Machine } from '@lanctl/model';
import { type Command, Option } from 'commander';
import { runEach } from '../batch.ts';
import { addWord, apiCommand, type ConnectionOptions, connect, run } from '../command.ts';
import { printDone, printList, printRecord, usageError } from '../output.ts';
import { parseList, parseServerNumber, pickDefined } from '../parse.ts';
import type { Column } from '../table.ts';

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
  const fields = pickDefined(o, ['mac', 'aliases', 'ip', 'rfs', 'hfs', 'mtype', 'room', 'uuid']);
  if (o.update) {
    const current = await findMachine(client, o.hostname);
    if (current) {
      const updated = await client.machines.update(current.hostname, fields);
      const verb = updated.updated_at === current.updated_at ? 'unchanged' : 'updated';
      return printDone(updated, `${verb}: machine ${describe(updated)}`, Boolean(o.json));
    }
  }
  if (o.mac === undefined) usageError('--mac is required to create a machine');
  const input: MachineCreateInput = { ...fields, hostname: o.hostname, mac: o.mac };
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
          ['created', m.created_at],
          ['updated', m.updated_at],
        ];
        printRecord(m, entries, Boolean(o.json));
      }),
    );
  registerEdit(machine);
}
