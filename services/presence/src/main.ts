import { parseArgs } from 'node:util';
import { loadPublicKey, tokenFromFile } from '@lanctl/auth';
import { createLogger, createMetricsRegistry, loadConfig, stopOnSignals } from '@lanctl/core';
import { create, presenceConfigSchema } from './index.ts';

/** `lanctl serve presence [--config FILE]`: the presence authority, as its systemd unit runs it. */
export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' } } });
  const logger = createLogger('presence');
  const config = loadConfig('presence', presenceConfigSchema, { path: values.config });
  const service = create(config, {
    logger,
    metrics: createMetricsRegistry({ defaultMetrics: true }),
    token: tokenFromFile(config.token_file),
    publicKey: loadPublicKey(config.auth.public_key_file),
  });
  await service.start();
  stopOnSignals(logger, () => service.stop());
}
