import { parseArgs } from 'node:util';
import { loadPrivateKey, loadPublicKey } from '@lanctl/auth';
import { createLogger, createMetricsRegistry, loadConfig, stopOnSignals } from '@lanctl/core';
import { create, udbConfigSchema } from './index.ts';

/** `lanctl serve udb [--config FILE]`: udb alone, as its systemd unit runs it. */
export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' } } });
  const logger = createLogger('udb');
  const config = loadConfig('udb', udbConfigSchema, { path: values.config });
  const service = create(config, {
    logger,
    metrics: createMetricsRegistry({ defaultMetrics: true }),
    publicKey: loadPublicKey(config.auth.public_key_file),
    privateKey: loadPrivateKey(config.auth.private_key_file),
  });
  await service.start();
  stopOnSignals(logger, () => service.stop());
}
