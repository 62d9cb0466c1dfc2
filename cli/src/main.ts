import { Command, CommanderError } from 'commander';
import { registerServe } from './commands/serve.ts';
import { registerStart } from './commands/start.ts';
import { fail } from './output.ts';

const program = new Command('lanctl')
  .description('lanctl: control plane for contest LANs')
  .showHelpAfterError()
  .exitOverride();

registerStart(program);
registerServe(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode);
  fail((e as Error).message);
}
