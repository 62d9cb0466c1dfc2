import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createLogger, createMetricsRegistry, loadConfig, stopOnSignals } from '@lanctl/core';
import { confgenConfigSchema, create } from './index.ts';

/** `lanctl serve confgen [--config FILE]`: the config generator daemon, as its unit runs it. */
export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' } } });
  const logger = createLogger('confgen');
  const config = loadConfig('confgen', confgenConfigSchema, { path: values.config });
  const read = () => readFileSync(config.token_file, 'utf8').trim();
  try {
    read();
  } catch (e) {
    throw new Error(`cannot read token_file ${config.token_file}: ${(e as Error).message}`);
  }
  const service = create(config, {
    logger,
    metrics: createMetricsRegistry({ defaultMetrics: true }),
    token: read,
  });
  await service.start();
  stopOnSignals(logger, () => service.stop());
}
