import { createLogger, createMetricsRegistry } from '@lanctl/core';
import { describe, expect, it } from 'vitest';
import type { BootFilesOptions } from './options.ts';
import { bootFilesRouter } from './router.ts';

const base = (): BootFilesOptions => ({
  servers: { rfs0: { root: '/export/nfsroot/boot' } },
  maxConcurrent: 64,
  largeBytes: 1 << 20,
  queueTimeoutMs: 60_000,
  maxQueue: 1000,
  metrics: createMetricsRegistry(),
  logger: createLogger('netboot', { silent: true }),
});

describe('bootFilesRouter options', () => {
  it('builds with valid options, Infinity as no cap, and reports health per server', () => {
    const router = bootFilesRouter({ ...base(), maxConcurrent: Number.POSITIVE_INFINITY });
    expect(router.health()).toEqual({ rfs0: { active: 0, queued: 0 } });
  });

  it.each<[string, Partial<BootFilesOptions>]>([
    ['servers.rfs0.root', { servers: { rfs0: { root: 'relative/dir' } } }],
    ['servers.bad/name', { servers: { 'bad/name': { root: '/srv' } } }],
    ['maxConcurrent', { maxConcurrent: 0 }],
    ['maxConcurrent', { maxConcurrent: 1.5 }],
    ['largeBytes', { largeBytes: -1 }],
    ['queueTimeoutMs', { queueTimeoutMs: 0 }],
    ['maxQueue', { maxQueue: Number.NaN }],
    ['chunkBytes', { chunkBytes: 100 }],
    ['retryAfterSeconds', { retryAfterSeconds: -5 }],
  ])('refuses a bad %s, naming it', (field, patch) => {
    expect(() => bootFilesRouter({ ...base(), ...patch })).toThrow(`${field}:`);
  });
});
