import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createLogger, createMetricsRegistry, loadConfig, stopOnSignals } from '@lanctl/core';
import { create, rootsshConfigSchema } from './index.ts';

/** `lanctl serve rootssh [--config FILE]`: the root SSH keys writer, as its systemd unit runs it. */
export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' } } });
  const logger = createLogger('rootssh');
  const config = loadConfig('rootssh', rootsshConfigSchema, { path: values.config });
  // Read at every connection (a rotated token is picked up); once now, so a missing file stops the start.
  const token = () => readFileSync(config.token_file, 'utf8').trim();
  try {
    token();
  } catch (e) {
    throw new Error(`cannot read token_file ${config.token_file}: ${(e as Error).message}`);
  }
  const service = create(config, {
    logger,
    metrics: createMetricsRegistry({ defaultMetrics: true }),
    token,
  });
  await service.start();
  stopOnSignals(logger, () => service.stop());
}
