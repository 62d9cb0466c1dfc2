import { parseArgs } from 'node:util';
import { loadPublicKey } from '@lanctl/auth';
import { createLogger, createMetricsRegistry, loadConfig, stopOnSignals } from '@lanctl/core';
import { create, mdbConfigSchema } from './index.ts';

/** `lanctl serve mdb [--config FILE]`: mdb alone, as its systemd unit runs it. */
export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' } } });
  const logger = createLogger('mdb');
  const config = loadConfig('mdb', mdbConfigSchema, { path: values.config });
  const service = create(config, {
    logger,
    metrics: createMetricsRegistry({ defaultMetrics: true }),
    publicKey: loadPublicKey(config.auth.public_key_file),
  });
  await service.start();
  stopOnSignals(logger, () => service.stop());
}
