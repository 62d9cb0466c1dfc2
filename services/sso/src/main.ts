import { parseArgs } from 'node:util';
import { tokenFromFile } from '@lanctl/auth';
import { createLogger, createMetricsRegistry, loadConfig, stopOnSignals } from '@lanctl/core';
import { create, ssoConfigSchema } from './index.ts';

/** `lanctl serve sso [--config FILE]`: nginx's auth_request backend, as its systemd unit runs it. */
export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' } } });
  const logger = createLogger('sso');
  const config = loadConfig('sso', ssoConfigSchema, { path: values.config });
  const token = tokenFromFile(config.token_file);
  const service = create(config, {
    logger,
    metrics: createMetricsRegistry({ defaultMetrics: true }),
    token: () => token(),
  });
  await service.start();
  stopOnSignals(logger, () => service.stop());
}
