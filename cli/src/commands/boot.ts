import { formatTimeline } from '@lanctl/boot';
import { type BootClient, createBootClient, type MachineBootStatus } from '@lanctl/client';
import { normalizeMac } from '@lanctl/model';
import type { Command } from 'commander';
import { addWord, apiCommand, type ConnectionOptions, connection, run } from '../command.ts';
import { fail, printJson, printList } from '../output.ts';
import type { Column } from '../table.ts';

/**
 * `lanctl boot log HOST` and `lanctl boot status [--room R]`: where machines' network boots got
 * (DHCP, TFTP, iPXE, boot script, kernel, initrd), from the netboot service's timeline API
 * behind the API origin.
 */

interface LogOptions extends ConnectionOptions {
  since?: string;
  json?: boolean;
}

interface StatusOptions extends ConnectionOptions {
  room?: string;
  json?: boolean;
}

function bootClient(o: ConnectionOptions): BootClient {
  const { url, token } = connection(o);
  if (!token) {
    fail(
      `no API token for ${url}: run \`lanctl login --url ${url}\` (or pass --token, or set LANCTL_TOKEN)`,
    );
  }
  return createBootClient({ baseUrl: url, token });
}

/** A source the timeline could not read makes it partial: say so on stderr. */
function warnSources(sources: Record<string, string>): void {
  for (const [name, status] of Object.entries(sources)) {
    if (status !== 'ok') process.stderr.write(`warning: ${name}: ${status}\n`);
  }
}

/** "2026-11-22 16:53:22" (UTC). */
const when = (iso: string | null) => (iso ? iso.slice(0, 19).replace('T', ' ') : '-');

const STATUS_COLUMNS: Column<MachineBootStatus>[] = [
  { header: 'HOSTNAME', value: (m) => m.hostname },
  { header: 'IP', value: (m) => m.ip },
  { header: 'STAGE', value: (m) => m.stage ?? '-' },
  { header: 'LAST', value: (m) => when(m.last_at) },
  { header: 'VERDICT', value: (m) => m.verdict },
];

/** A hostname, or a MAC address: an unregistered machine is known by its MAC only. */
async function showLog(target: string, o: LogOptions): Promise<void> {
  const mac = normalizeMac(target);
  const client = bootClient(o);
  const result = mac
    ? await client.timelineByMac(mac, { since: o.since })
    : await client.timeline(target, { since: o.since });
  if (o.json) {
    printJson(result);
    return;
  }
  warnSources(result.sources);
  const name = result.hostname ?? 'unregistered machine';
  process.stdout.write(`${name} (${result.ip ?? 'no fixed address'}, ${result.mac})\n`);
  process.stdout.write(formatTimeline(result.boot, { color: process.stdout.isTTY === true }));
}

async function showStatus(o: StatusOptions): Promise<void> {
  const result = await bootClient(o).status(o.room);
  if (o.json) {
    printJson(result);
    return;
  }
  warnSources(result.sources);
  printList(
    result.machines,
    STATUS_COLUMNS,
    false,
    o.room ? `machine in room ${o.room}` : 'machine',
  );
}

/** Adds the `boot` word and returns it (more subcommands join it elsewhere). */
export function registerBoot(program: Command): Command {
  const boot = addWord(program, 'boot', "network boots: where each machine's last boot got");
  apiCommand(
    boot,
    'log <hostname|mac>',
    "a machine's last boot, event by event, and a verdict (a MAC for an unregistered one)",
  )
    .option('--since <time>', 'look back to this ISO 8601 time (default: 24 hours)')
    .option('--json', 'the whole timeline as JSON')
    .action(run((target: string, o: LogOptions) => showLog(target, o)));
  apiCommand(boot, 'status', 'every machine (of a room): its boot stage, last event and verdict')
    .option('--room <room>', 'only the machines of this room')
    .option('--json', 'as JSON')
    .action(run((o: StatusOptions) => showStatus(o)));
  return boot;
}
