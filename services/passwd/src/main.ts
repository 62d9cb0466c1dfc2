import { parseArgs } from 'node:util';
import { tokenFromFile } from '@lanctl/auth';
import { createLogger, createMetricsRegistry, loadConfig, stopOnSignals } from '@lanctl/core';
import { create, passwdConfigSchema } from './index.ts';

/** `lanctl serve passwd [--config FILE]`: the passwd writer, as its systemd unit runs it. */
export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' } } });
  const logger = createLogger('passwd');
  const config = loadConfig('passwd', passwdConfigSchema, { path: values.config });
  const token = tokenFromFile(config.token_file);
  const service = create(config, {
    logger,
    metrics: createMetricsRegistry({ defaultMetrics: true }),
    token,
  });
  await service.start();
  stopOnSignals(logger, () => service.stop());
}
