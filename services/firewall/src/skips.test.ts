import { PassThrough } from 'node:stream';
import { createLogger, createMetricsRegistry } from '@lanctl/core';
import { describe, expect, it } from 'vitest';
import { createFirewallMetrics } from './metrics.ts';
import { ipsetScreen } from './screen.ts';
import { createSkipLog } from './skips.ts';

function setup() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (d) => {
    for (const l of String(d).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
  });
  const registry = createMetricsRegistry();
  const report = createSkipLog({
    logger: createLogger('firewall', { stream }),
    metrics: createFirewallMetrics(registry, () => []),
    target: 'allowed-internet-access',
  });
  const metric = async (name: string) => (await registry.getSingleMetricAsString(name)).split('\n');
  const flush = () => new Promise((r) => setImmediate(r));
  return { report, lines, metric, flush };
}

describe('createSkipLog', () => {
  const screen = ipsetScreen('bitmap:ip range 192.168.0.0/23');

  it('warns and counts once per address while it stays left out, again when it comes back', async () => {
    const { report, lines, metric, flush } = setup();
    report(screen(['192.168.0.1', '192.168.2.10']).skipped);
    report(screen(['192.168.0.2', '192.168.2.10']).skipped);
    report(screen(['192.168.2.10', '10.0.0.1']).skipped);
    await flush();
    expect(lines.map((l) => [l.level, l.ip, l.reason])).toEqual([
      ['warn', '192.168.2.10', 'out_of_range'],
      ['warn', '10.0.0.1', 'out_of_range'],
    ]);
    expect(await metric('lanctl_firewall_skipped_addresses')).toContain(
      'lanctl_firewall_skipped_addresses 2',
    );
    report([]);
    report(screen(['192.168.2.10']).skipped);
    await flush();
    expect(lines).toHaveLength(3);
    const counted = await metric('lanctl_firewall_addresses_skipped_total');
    expect(counted).toContain('lanctl_firewall_addresses_skipped_total{reason="out_of_range"} 3');
    expect(counted).toContain('lanctl_firewall_addresses_skipped_total{reason="null_address"} 0');
  });
});
