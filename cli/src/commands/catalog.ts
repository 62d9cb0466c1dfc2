import { readFileSync } from 'node:fs';
import type { MachineType, Pool, Room, Switch } from '@lanctl/model';
import { type Command, InvalidArgumentError } from 'commander';
import { apiCommand, type ConnectionOptions, connect, run } from '../command.ts';
import { printDone, printJson, usageError } from '../output.ts';
import { parseList, parseServerNumber } from '../parse.ts';
import { registerResource } from './named.ts';

/** The name-keyed collections next to machines: one spec each, one generic implementation. */

export function registerSwitch(program: Command): void {
  registerResource<Switch>(program, {
    word: 'switch',
    noun: 'switch',
    plural: 'switches',
    description: 'switches, whose LLDP chassis id tells the room, RFS and HFS of a port',
    collection: (client) => client.switches,
    fields: [
      {
        key: 'chassis',
        arg: '<mac>',
        description: 'LLDP chassis id (a MAC address)',
        requiredOnAdd: true,
      },
      { key: 'room', arg: '<room>', description: 'room its ports are in (default: other)' },
      { key: 'rfs', arg: '<n>', description: 'RFS number for its ports', parse: parseServerNumber },
      { key: 'hfs', arg: '<n>', description: 'HFS number for its ports', parse: parseServerNumber },
      { key: 'name', arg: '<new-name>', description: 'rename the switch', only: 'edit' },
    ],
    columns: [
      { header: 'NAME', value: (s) => s.name },
      { header: 'CHASSIS', value: (s) => s.chassis },
      { header: 'ROOM', value: (s) => s.room },
      { header: 'RFS', value: (s) => s.rfs, align: 'right' },
      { header: 'HFS', value: (s) => s.hfs, align: 'right' },
    ],
  });
}

export function registerPool(program: Command): void {
  registerResource<Pool>(program, {
    word: 'pool',
    noun: 'pool',
    plural: 'pools',
    description: 'IP pools that machine types allocate addresses from',
    collection: (client) => client.pools,
    fields: [
      {
        key: 'network',
        arg: '<cidr>',
        description: 'IPv4 network, e.g. 192.168.0.0/24',
        requiredOnAdd: true,
      },
      {
        key: 'reserved',
        arg: '<list>',
        description: 'addresses never handed out: a,b-c ("" clears)',
        parse: parseList,
      },
    ],
    columns: [
      { header: 'NAME', value: (p) => p.name },
      { header: 'NETWORK', value: (p) => p.network },
      { header: 'USED', value: (p) => p.used, align: 'right' },
      { header: 'SIZE', value: (p) => p.size, align: 'right' },
      { header: 'MTYPES', value: (p) => p.mtypes.join(',') },
      { header: 'RESERVED', value: (p) => p.reserved.join(',') },
    ],
  });
}

const orDash = (v: unknown) => (v === null || v === undefined ? '-' : String(v));

export function registerRoom(program: Command): void {
  registerResource<Room>(program, {
    word: 'room',
    noun: 'room',
    plural: 'rooms',
    description: 'rooms machines and switches are in, their hostname patterns and expect lists',
    collection: (client) => client.rooms,
    fields: [{ key: 'description', arg: '<text>', description: 'what the room is' }],
    columns: [
      { header: 'NAME', value: (r) => r.name },
      { header: 'PATTERN', value: (r) => orDash(r.hostname_pattern) },
      { header: 'SEATS/ROW', value: (r) => orDash(r.seats_per_row), align: 'right' },
      { header: 'DESCRIPTION', value: (r) => r.description },
    ],
  });
  const room = program.commands.find((c) => c.name() === 'room')!;
  addPatternOptions(room, 'add');
  addPatternOptions(room, 'edit');
  registerExpect(room);
}

interface RoomOptions extends ConnectionOptions {
  description?: string;
  pattern?: string;
  seatsPerRow?: string;
  json?: boolean;
}

function parseSeats(value: string): string {
  if (value === 'none' || /^[1-9]\d{0,3}$/.test(value)) return value;
  throw new InvalidArgumentError('expected a whole number of seats (1-1000), or "none"');
}

/** The room body from the options: "none" clears the pattern or the seats per row. */
function roomFields(o: RoomOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (o.description !== undefined) body.description = o.description;
  if (o.pattern !== undefined) body.hostname_pattern = o.pattern === 'none' ? null : o.pattern;
  if (o.seatsPerRow !== undefined) {
    body.seats_per_row = o.seatsPerRow === 'none' ? null : Number(o.seatsPerRow);
  }
  return body;
}

/** `room add|edit` take --pattern and --seats-per-row besides the generic fields. */
function addPatternOptions(room: Command, mode: 'add' | 'edit'): void {
  const cmd = room.commands.find((c) => c.name() === mode)!;
  cmd
    .option(
      '--pattern <pattern>',
      'hostnames registration suggests: text with {row}, {seat} or {n}, zero-padded as {seat:02} ("none" clears)',
    )
    .option(
      '--seats-per-row <n>',
      'seats in a row, for {row} and {seat} ("none" clears)',
      parseSeats,
    )
    .action(
      run(async (name: string, o: RoomOptions) => {
        const body = roomFields(o);
        const rooms = connect(o).rooms;
        if (mode === 'add') {
          const created = await rooms.create({ name, ...body });
          return printDone(created, `created: room ${created.name}`, Boolean(o.json));
        }
        if (Object.keys(body).length === 0)
          usageError('nothing to change: give at least one option');
        const updated = await rooms.update(name, body);
        printDone(updated, `updated: room ${updated.name}`, Boolean(o.json));
      }),
    );
}

/** Hostnames from the arguments, then from the file (one a line; blank lines and # comments skipped). */
function expectedNames(names: string[], file: string | undefined): string[] {
  if (file === undefined) return names;
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    usageError(`cannot read ${file}: ${(e as Error).message}`);
  }
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);
  return [...names, ...lines];
}

function registerExpect(room: Command): void {
  apiCommand(
    room,
    'expect <room> [hostname...]',
    "replace a room's expect list: hostnames registration hands out first, in order",
  )
    .option('--file <file>', 'read hostnames from a file, one a line ("-": stdin)')
    .option('--clear', 'empty the list')
    .option('--json', 'print the list as JSON')
    .action(
      run(
        async (
          name: string,
          names: string[],
          o: ConnectionOptions & { file?: string; clear?: boolean; json?: boolean },
        ) => {
          const hostnames = expectedNames(names, o.file);
          if (o.clear && hostnames.length > 0) usageError('--clear takes no hostnames');
          if (!o.clear && hostnames.length === 0) {
            usageError('give hostnames (arguments or --file), or --clear to empty the list');
          }
          const list = await connect(o).rooms.expected.set(name, hostnames);
          const n = list.hostnames.length;
          printDone(
            list,
            `room ${list.room} expects ${n} hostname${n === 1 ? '' : 's'}`,
            Boolean(o.json),
          );
        },
      ),
    );
  apiCommand(room, 'expected <room>', 'the hostnames still expected in a room, in order')
    .option('--json', 'print {room, hostnames} as JSON')
    .action(
      run(async (name: string, o: ConnectionOptions & { json?: boolean }) => {
        const list = await connect(o).rooms.expected.get(name);
        if (o.json) return printJson(list);
        if (list.hostnames.length === 0)
          process.stderr.write(`no hostnames expected in room ${list.room}\n`);
        else process.stdout.write(`${list.hostnames.join('\n')}\n`);
      }),
    );
}

export function registerMtype(program: Command): void {
  registerResource<MachineType>(program, {
    word: 'mtype',
    noun: 'machine type',
    plural: 'machine types',
    description: 'machine types, each drawing addresses from one pool',
    collection: (client) => client.machineTypes,
    fields: [
      { key: 'description', arg: '<text>', description: 'what machines of this type are' },
      {
        key: 'pool',
        arg: '<pool>',
        description: 'pool its machines get addresses from, or "none" (explicit IPs only)',
        nullWord: 'none',
      },
    ],
    columns: [
      { header: 'NAME', value: (t) => t.name },
      { header: 'POOL', value: (t) => t.pool ?? '-' },
      { header: 'DESCRIPTION', value: (t) => t.description },
    ],
  });
}
