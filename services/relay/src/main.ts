import { parseArgs } from 'node:util';
import { loadPublicKey, tokenFromFile } from '@lanctl/auth';
import {
  createLogger,
  createMetricsRegistry,
  loadConfig,
  stopOnSignals,
  validateConfig,
} from '@lanctl/core';
import { create, relayConfigSchema } from './index.ts';

/**
 * `lanctl serve relay [--config FILE] [--upstream URL] [--token-file FILE] [--tables a,b]`
 * (also `lanctl serve sync ...`): the sync relay, as its systemd unit runs it. Flags override
 * the config file, which overrides the defaults.
 */
export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      upstream: { type: 'string' },
      'token-file': { type: 'string' },
      tables: { type: 'string' },
    },
  });
  const flags: Record<string, unknown> = {};
  if (values.upstream) flags.upstream = values.upstream;
  if (values['token-file']) flags.token_file = values['token-file'];
  if (values.tables) flags.tables = values.tables.split(',').map((t) => t.trim());
  const logger = createLogger('relay');
  const file = loadConfig('relay', relayConfigSchema, { path: values.config });
  const config = validateConfig('command line', relayConfigSchema, { ...file, ...flags });
  const token = tokenFromFile(config.token_file);
  const service = create(config, {
    logger,
    metrics: createMetricsRegistry({ defaultMetrics: true }),
    publicKey: loadPublicKey(config.auth.public_key_file),
    token,
  });
  await service.start();
  stopOnSignals(logger, () => service.stop());
}
