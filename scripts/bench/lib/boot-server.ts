/**
 * `pnpm bench:boot`'s file server, run as a child process so that its memory can be read:
 * the common express app (`createHttpApp`) with the netboot boot-file router at /files, serving
 * one server `bench` from `--root`. Prints `{"url": …}` once listening; stops on SIGTERM.
 *
 *   node --import tsx scripts/bench/lib/boot-server.ts --root DIR [--max 64|inf] [--chunk-kib 256]
 */
import { parseArgs } from 'node:util';
import { createHttpApp, createLogger, createMetricsRegistry, listen } from '@lanctl/core';
import { bootFilesRouter } from '../../../services/netboot/src/files/index.ts';

const { values } = parseArgs({
  options: {
    root: { type: 'string' },
    max: { type: 'string', default: '64' },
    'chunk-kib': { type: 'string', default: '256' },
  },
});
if (!values.root) throw new Error('--root is required');
const logger = createLogger('netboot', { level: 'warn' });
const metrics = createMetricsRegistry();
const router = bootFilesRouter({
  servers: { bench: { root: values.root } },
  maxConcurrent: values.max === 'inf' ? Number.POSITIVE_INFINITY : Number(values.max),
  largeBytes: 1024 * 1024,
  queueTimeoutMs: 60_000,
  maxQueue: 1000,
  chunkBytes: Number(values['chunk-kib']) * 1024,
  metrics,
  logger,
});
const app = createHttpApp({
  service: 'netboot',
  logger,
  metrics,
  health: () => ({ ok: true, files: router.health() }),
  mount: (a) => a.use('/files', router),
});
const server = await listen(app, '127.0.0.1', 0);
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.once('SIGTERM', () => {
  void server.close(1000).then(() => process.exit(0));
});
