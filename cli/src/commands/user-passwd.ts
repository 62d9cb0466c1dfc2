import type { UdbClient, WhoAmI } from '@lanctl/client';
import type { Command } from 'commander';
import { apiCommand, type ConnectionOptions, connect, run } from '../command.ts';
import { printJson, usageError } from '../output.ts';
import { askNewPassword, askSecret, canPrompt, stdinLines } from './user-input.ts';
import { connectUdb } from './user-shared.ts';

interface PasswdOptions extends ConnectionOptions {
  passwordStdin?: boolean;
  json?: boolean;
}

/** A contestant changing their own password must prove they know the current one. */
const changesOwn = (me: WhoAmI, login: string) =>
  me.kind === 'user' && me.role === 'user' && me.subject === login;

async function changeOwn(udb: UdbClient, login: string, o: PasswdOptions): Promise<void> {
  let current: string;
  let password: string;
  if (!o.passwordStdin && canPrompt()) {
    current = await askSecret(`Current password for ${login}: `);
    password = await askNewPassword();
  } else {
    [current, password] = (await stdinLines(2, ['the current password', 'the new password'])) as [
      string,
      string,
    ];
  }
  await udb.setPassword(login, { current_password: current, password });
  process.stdout.write(`password changed for ${login}\n`);
}

async function passwd(login: string | undefined, o: PasswdOptions): Promise<void> {
  const me = await connect(o).whoami();
  const udb = connectUdb(o);
  const target = login ?? (me.kind === 'user' ? me.subject : undefined);
  if (target === undefined) usageError('give the login whose password to reset');
  if (changesOwn(me, target)) return changeOwn(udb, target, o);
  if (o.passwordStdin) {
    const [password] = await stdinLines(1, ['the new password']);
    const result = await udb.setPassword(target, { password });
    return o.json ? printJson(result) : void process.stdout.write(`password set for ${target}\n`);
  }
  const result = await udb.setPassword(target, {});
  if (o.json) return printJson(result);
  process.stdout.write(
    `new password for ${target} (shown once, kept nowhere): ${result.password}\n`,
  );
}

export function registerUserPasswd(user: Command): void {
  apiCommand(
    user,
    'passwd [login]',
    'reset a password to a generated one (shown once), or set it from stdin; a contestant ' +
      'changing their own gives the current and the new one (prompted, or two lines on stdin)',
  )
    .option('--password-stdin', 'read the new password (or current + new) from stdin')
    .option('--json', 'print the answer as JSON')
    .action(run(passwd));
}
