import type { Command } from 'commander';
import { fail } from '../output.ts';
import { SERVICE_MAINS } from '../services.ts';

/** Other words for a service: `lanctl serve sync --upstream URL` is the relay (ARCHITECTURE.md). */
const ALIASES: Record<string, string> = { sync: 'relay' };

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      `run one service alone, as its systemd unit does (${Object.keys(SERVICE_MAINS).join(', ')}; ` +
        'sync = relay); options after the name go to the service, e.g. `serve relay --upstream URL`',
    )
    .argument('<service>', 'service name')
    .argument('[options...]', "the service's own options (--upstream, --token-file, --tables)")
    .option('--config <file>', 'config file (default /etc/lanctl/<service>.yml)')
    .allowUnknownOption()
    .action(async (name: string, rest: string[], options: { config?: string }) => {
      const service = ALIASES[name] ?? name;
      const load = SERVICE_MAINS[service];
      if (!load)
        fail(`unknown service "${name}" (known: ${Object.keys(SERVICE_MAINS).join(', ')}, sync)`);
      const { main } = await load();
      await main([...(options.config ? ['--config', options.config] : []), ...rest]);
    });
}
