import { parseArgs } from 'node:util';
import { loadPublicKey, tokenFromFile } from '@lanctl/auth';
import { createLogger, createMetricsRegistry, loadConfig, stopOnSignals } from '@lanctl/core';
import { create, firewallConfigSchema } from './index.ts';

/** `lanctl serve firewall [--config FILE]`: the internet firewall, as its systemd unit runs it. */
export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' } } });
  const logger = createLogger('firewall');
  const config = loadConfig('firewall', firewallConfigSchema, { path: values.config });
  const tokens = {
    mdb: tokenFromFile(config.upstreams.mdb.token_file, 'upstreams.mdb.token_file'),
    udb: tokenFromFile(config.upstreams.udb.token_file, 'upstreams.udb.token_file'),
    presence: tokenFromFile(config.upstreams.presence.token_file, 'upstreams.presence.token_file'),
  };
  const service = create(config, {
    logger,
    metrics: createMetricsRegistry({ defaultMetrics: true }),
    token: (upstream) => tokens[upstream](),
    publicKey: loadPublicKey(config.auth.public_key_file),
  });
  await service.start();
  stopOnSignals(logger, () => service.stop());
}
