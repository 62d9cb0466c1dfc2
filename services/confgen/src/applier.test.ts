import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, createMetricsRegistry, validateConfig } from '@lanctl/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createApplier } from './applier.ts';
import { confgenConfigSchema } from './config.ts';
import { MACHINES, machine, POOLS, sadmPlan } from './testing/fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'lanctl-applier-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('createApplier: dhcpd restarts', () => {
  it('coalesces restarts: one now, the next after the interval, several asks become one', async () => {
    const config = validateConfig('test', confgenConfigSchema, {
      dhcp: sadmPlan(),
      dhcpd: {
        enabled: true,
        path: join(dir, 'generated.conf'),
        check: null,
        restart: ['restart-dhcpd'],
        restart_min_interval_seconds: 3600,
      },
    });
    const ran: string[] = [];
    const metrics = createMetricsRegistry();
    const applier = createApplier(config, {
      logger: createLogger('confgen', { silent: true }),
      metrics,
      run: async (argv) => {
        ran.push(argv.join(' '));
      },
      now: () => new Date(),
    });
    const state = (n: number) => ({
      machines: [...MACHINES, machine(`pc${n}`, `192.168.0.${100 + n}`, `52:54:00:00:0a:0${n}`)],
      pools: POOLS,
    });
    expect((await applier.apply(state(1))).result).toBe('ok');
    expect(ran).toEqual(['restart-dhcpd']); // the first: at once
    await applier.apply(state(2));
    await applier.apply(state(3));
    await applier.apply(state(3)); // unchanged: asks for nothing
    expect(ran).toEqual(['restart-dhcpd']); // the others wait for the interval...
    await applier.flush();
    expect(ran).toEqual(['restart-dhcpd', 'restart-dhcpd']); // ...and are one restart
    const text = await metrics.getSingleMetricAsString('lanctl_confgen_reloads_total');
    expect(text).toContain('lanctl_confgen_reloads_total{output="dhcpd",result="ok"} 2');
  });
});
