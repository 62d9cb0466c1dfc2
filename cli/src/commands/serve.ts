import type { Command } from 'commander';
import { fail } from '../output.ts';
import { SERVICE_MAINS } from '../services.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      `run one service alone, as its systemd unit does (${Object.keys(SERVICE_MAINS).join(', ')})`,
    )
    .argument('<service>', 'service name')
    .option('--config <file>', 'config file (default /etc/lanctl/<service>.yml)')
    .action(async (service: string, options: { config?: string }) => {
      const load = SERVICE_MAINS[service];
      if (!load)
        fail(`unknown service "${service}" (known: ${Object.keys(SERVICE_MAINS).join(', ')})`);
      const { main } = await load();
      await main(options.config ? ['--config', options.config] : []);
    });
}
