import { collectDefaultMetrics, Registry } from 'prom-client';

/** A registry per service instance, so several services can live in one process (`lanctl start`). */
export function createMetricsRegistry(options: { defaultMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'lanctl_' });
  return registry;
}

export { Counter, Gauge, Histogram, Registry } from 'prom-client';
