import { parseArgs } from 'node:util';
import { tokenFromFile } from '@lanctl/auth';
import { createLogger, createMetricsRegistry, loadConfig, stopOnSignals } from '@lanctl/core';
import { create, rootsshConfigSchema } from './index.ts';

/** `lanctl serve rootssh [--config FILE]`: the root SSH keys writer, as its systemd unit runs it. */
export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' } } });
  const logger = createLogger('rootssh');
  const config = loadConfig('rootssh', rootsshConfigSchema, { path: values.config });
  const token = tokenFromFile(config.token_file);
  const service = create(config, {
    logger,
    metrics: createMetricsRegistry({ defaultMetrics: true }),
    token,
  });
  await service.start();
  stopOnSignals(logger, () => service.stop());
}
