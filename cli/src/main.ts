import { Command, CommanderError } from 'commander';
import { registerBoot } from './commands/boot.ts';
import { registerBootProfile } from './commands/boot-profile.ts';
import { registerMtype, registerPool, registerRoom, registerSwitch } from './commands/catalog.ts';
import { registerDhcp } from './commands/dhcp.ts';
import { registerDns } from './commands/dns.ts';
import { registerLogin } from './commands/login.ts';
import { registerMachine } from './commands/machine.ts';
import { registerPresence } from './commands/presence.ts';
import { registerServe } from './commands/serve.ts';
import { registerSetting } from './commands/setting.ts';
import { registerStart } from './commands/start.ts';
import { registerToken } from './commands/token.ts';
import { registerUser } from './commands/user.ts';
import { fail } from './output.ts';

const program = new Command('lanctl')
  .description('lanctl: control plane for contest LANs')
  .showHelpAfterError()
  .exitOverride();

registerStart(program);
registerServe(program);
registerLogin(program);
registerMachine(program);
registerSwitch(program);
registerPool(program);
registerRoom(program);
registerMtype(program);
registerSetting(program);
registerToken(program);
registerUser(program);
registerDhcp(program);
registerDns(program);
registerBootProfile(registerBoot(program));
registerPresence(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode);
  fail((e as Error).message);
}
