import { createLogger, stopOnSignals } from '@lanctl/core';
import type { Command } from 'commander';
import { fail } from '../output.ts';

const collectPort = (value: string, previous: Record<string, number>) => {
  const match = /^([a-z]+)=(\d{1,5})$/.exec(value);
  if (!match || Number(match[2]) > 65535)
    fail(`--port expects NAME=PORT (e.g. origin=8080, mdb=0), got "${value}"`);
  return { ...previous, [match[1]!]: Number(match[2]) };
};

export function registerStart(program: Command): void {
  program
    .command('start')
    .description(
      'run the whole gateway in one process on SQLite under --data (the embedded default)',
    )
    .option('--data <dir>', 'data directory', './var')
    .option('--host <address>', 'address every service binds', '127.0.0.1')
    .option(
      '--port <name=port>',
      'override a port (repeatable; 0 = any free port): origin, mdb, mdbsync, udb, udbsync, netboot, and the HTTP side of dhcp, dns, tftp',
      collectPort,
      {},
    )
    .option(
      '--with <services>',
      'also run native LAN services, comma-separated: dhcp, dns, tftp. They answer on the LAN ' +
        '(UDP 67, 53, 69: root or CAP_NET_BIND_SERVICE) and read <data>/config/<name>.yml ' +
        '(dhcp needs plan.subnets)',
      (value: string) =>
        value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      [] as string[],
    )
    .action(
      async (options: {
        data: string;
        host: string;
        port: Record<string, number>;
        with: string[];
      }) => {
        const logger = createLogger('lanctl');
        // Loaded here, not at the top: every other command would pay for the whole gateway.
        const { startGateway } = await import('../start/run.ts');
        const gateway = await startGateway({
          dataDir: options.data,
          host: options.host,
          ports: options.port,
          with: options.with,
          logger,
        });
        logger.info('gateway up', { urls: gateway.urls, admin_token_file: gateway.adminTokenFile });
        if (process.stderr.isTTY) {
          process.stderr.write(
            `\nlanctl is up: ${gateway.urls.origin}/\n  admin token: ${gateway.adminTokenFile}\n` +
              `  try: pnpm -s lanctl login --url ${gateway.urls.origin} --token-file ${gateway.adminTokenFile}\n\n`,
          );
        }
        stopOnSignals(logger, () => gateway.stop());
      },
    );
}
