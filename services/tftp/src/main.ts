import { parseArgs } from 'node:util';
import { loadPublicKey } from '@lanctl/auth';
import { createLogger, createMetricsRegistry, loadConfig, stopOnSignals } from '@lanctl/core';
import { create, tftpConfigSchema } from './index.ts';

/** `lanctl serve tftp [--config FILE]`: the read-only TFTP server, as its systemd unit runs it. */
export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' } } });
  const logger = createLogger('tftp');
  const config = loadConfig('tftp', tftpConfigSchema, { path: values.config });
  const service = create(config, {
    logger,
    metrics: createMetricsRegistry({ defaultMetrics: true }),
    publicKey: config.auth.public_key_file ? loadPublicKey(config.auth.public_key_file) : null,
  });
  await service.start();
  stopOnSignals(logger, () => service.stop());
}
