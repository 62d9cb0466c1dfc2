import { createPresenceClient, type PresenceClient, type PresenceSession } from '@lanctl/client';
import type { Command } from 'commander';
import { addWord, apiCommand, type ConnectionOptions, connection, run } from '../command.ts';
import { fail, printList, usageError } from '../output.ts';
import type { Column } from '../table.ts';

/**
 * `lanctl presence list [--json]` and `lanctl presence kick --user L | --machine H`: who is
 * logged in where, from the presence service behind the API origin; a root ends a session.
 */

interface ListOptions extends ConnectionOptions {
  json?: boolean;
}

interface KickOptions extends ConnectionOptions {
  user?: string;
  machine?: string;
}

function presenceClient(o: ConnectionOptions): PresenceClient {
  const { url, token } = connection(o);
  if (!token) {
    fail(
      `no API token for ${url}: run \`lanctl login --url ${url}\` (or pass --token, or set LANCTL_TOKEN)`,
    );
  }
  return createPresenceClient({ baseUrl: url, token });
}

const COLUMNS: Column<PresenceSession>[] = [
  { header: 'LOGIN', value: (s) => s.login },
  { header: 'HOSTNAME', value: (s) => s.hostname },
  { header: 'EXPIRES', value: (s) => s.expires_at.slice(0, 19).replace('T', ' ') },
];

async function list(o: ListOptions): Promise<void> {
  printList(await presenceClient(o).list(), COLUMNS, o.json === true, 'session');
}

function checkKick(o: KickOptions): KickOptions {
  if ((o.user === undefined) === (o.machine === undefined)) {
    usageError('kick takes exactly one of --user LOGIN or --machine HOSTNAME');
  }
  return o;
}

async function kick(o: KickOptions): Promise<void> {
  const client = presenceClient(o);
  if (o.user !== undefined) {
    await client.kickUser(o.user);
    process.stdout.write(`ended the session of ${o.user}\n`);
  } else {
    await client.freeMachine(o.machine!);
    process.stdout.write(`freed ${o.machine}\n`);
  }
}

export function registerPresence(program: Command): Command {
  const presence = addWord(program, 'presence', 'who is logged in on which machine');
  apiCommand(presence, 'list', 'every session: login, machine, expiry')
    .option('--json', 'as JSON')
    .action(run((o: ListOptions) => list(o)));
  apiCommand(presence, 'kick', 'end a session (root): by user or by machine')
    .option('--user <login>', "end this user's session")
    .option('--machine <hostname>', 'end the session on this machine')
    .action((o: KickOptions) => run(kick)(checkKick(o)));
  return presence;
}
