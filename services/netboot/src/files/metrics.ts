import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface FileMetrics {
  queue: Gauge<'server'>;
  active: Gauge<'server'>;
  bytes: Counter<'server'>;
  requests: Counter<'server' | 'outcome'>;
  refused: Counter<'server' | 'reason'>;
  queueWait: Histogram<'server'>;
}

/** The boot-file metrics, registered in the service's registry (nothing global). */
export function createFileMetrics(registry: Registry, servers: string[]): FileMetrics {
  const registers = [registry];
  const m: FileMetrics = {
    queue: new Gauge({
      name: 'lanctl_netboot_file_queue',
      help: 'Large boot-file transfers waiting for a slot, per file server',
      labelNames: ['server'],
      registers,
    }),
    active: new Gauge({
      name: 'lanctl_netboot_file_active',
      help: 'Large boot-file transfers running, per file server',
      labelNames: ['server'],
      registers,
    }),
    bytes: new Counter({
      name: 'lanctl_netboot_file_bytes_total',
      help: 'Boot-file bytes sent (read for the response, for an aborted one), per file server',
      labelNames: ['server'],
      registers,
    }),
    requests: new Counter({
      name: 'lanctl_netboot_file_requests_total',
      help: 'Boot-file requests by file server and outcome',
      labelNames: ['server', 'outcome'],
      registers,
    }),
    refused: new Counter({
      name: 'lanctl_netboot_file_refused_total',
      help: 'Boot-file requests refused for their path, by reason',
      labelNames: ['server', 'reason'],
      registers,
    }),
    queueWait: new Histogram({
      name: 'lanctl_netboot_file_queue_wait_seconds',
      help: 'Time a large boot-file transfer waited for its slot',
      labelNames: ['server'],
      buckets: [0.01, 0.1, 0.5, 1, 2, 5, 10, 20, 30, 60, 120],
      registers,
    }),
  };
  for (const server of servers) {
    m.queue.set({ server }, 0);
    m.active.set({ server }, 0);
    m.bytes.inc({ server }, 0);
  }
  return m;
}
