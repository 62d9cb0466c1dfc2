import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createLogger, createMetricsRegistry, loadConfig, stopOnSignals } from '@lanctl/core';
import { create, dnsConfigSchema, WORKER_ENV } from './index.ts';

/** `lanctl serve dns [--config FILE]`: the DNS server, as its systemd unit runs it. */
export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' } } });
  const logger = createLogger('dns');
  const config = loadConfig('dns', dnsConfigSchema, { path: values.config });
  const token = () => readFileSync(config.token_file, 'utf8').trim();
  const service = create(config, {
    logger,
    metrics: createMetricsRegistry({ defaultMetrics: true }),
    token,
    clusterWorker: cluster.isWorker && process.env[WORKER_ENV] === 'dns',
    canFork: true,
  });
  await service.start();
  stopOnSignals(logger, () => service.stop());
}
