import { createLogger, createMetricsRegistry } from '@lanctl/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type Applier, createApplier } from './applier.ts';
import type { Backend } from './backend.ts';
import { createFirewallMetrics } from './metrics.ts';

/** A backend recording each replacement; `failNext` makes the next ones throw. */
function fakeBackend() {
  const calls: string[][] = [];
  let live: string[] = [];
  let failures = 0;
  const backend: Backend = {
    name: 'nftables',
    target: 'inet lanctl allowed_internet',
    async replace(addresses) {
      calls.push([...addresses]);
      if (failures > 0) {
        failures--;
        throw new Error('nft -f -: exit 1: Error: Could not process rule');
      }
      live = [...addresses];
    },
  };
  return {
    backend,
    calls,
    live: () => live,
    failNext: (n: number) => {
      failures = n;
    },
  };
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

let applier: Applier | undefined;
afterEach(async () => {
  await applier?.stop();
});

function setup(options: { reassertMs?: number; retryMs?: number } = {}) {
  const fake = fakeBackend();
  const registry = createMetricsRegistry();
  applier = createApplier({
    backend: fake.backend,
    logger: createLogger('firewall', { silent: true }),
    metrics: createFirewallMetrics(registry, () => []),
    reassertMs: options.reassertMs ?? 60_000,
    retryMs: options.retryMs ?? 20,
  });
  applier.start();
  const metric = async (name: string) => (await registry.getSingleMetricAsString(name)).split('\n');
  return { ...fake, applier, metric };
}

describe('applier', () => {
  it('replaces the set only when the content changed', async () => {
    const { applier, calls, live } = setup();
    applier.want(['10.0.0.1']);
    await until(() => live().length === 1, 'first apply');
    applier.want(['10.0.0.1']);
    applier.want(['10.0.0.1', '10.0.0.2']);
    await until(() => live().length === 2, 'second apply');
    applier.want(['10.0.0.1', '10.0.0.2']);
    await new Promise((r) => setTimeout(r, 30));
    expect(calls).toEqual([['10.0.0.1'], ['10.0.0.1', '10.0.0.2']]);
    expect(applier.status()).toMatchObject({ result: 'success', size: 2, error: null });
  });

  it('a failure keeps the previous set, is counted, logged and retried', async () => {
    const { applier, failNext, live, calls, metric } = setup({ retryMs: 20 });
    applier.want(['10.0.0.1']);
    await until(() => live().length === 1, 'first apply');
    failNext(2);
    applier.want(['10.0.0.1', '10.0.0.2']);
    await until(() => applier.status().result === 'failure', 'a failure');
    expect(live()).toEqual(['10.0.0.1']);
    expect(applier.status().error).toMatch(/Could not process rule/);
    await until(() => live().length === 2, 'the retry');
    expect(calls.length).toBe(4);
    const lines = await metric('lanctl_firewall_applies_total');
    expect(lines).toContain('lanctl_firewall_applies_total{result="failure",trigger="change"} 1');
    expect(lines).toContain('lanctl_firewall_applies_total{result="failure",trigger="retry"} 1');
    expect(lines).toContain('lanctl_firewall_applies_total{result="success",trigger="retry"} 1');
  });

  it('re-asserts the same content periodically (a manual flush is repaired)', async () => {
    const { applier, calls } = setup({ reassertMs: 20 });
    applier.want(['10.0.0.9']);
    await until(() => calls.length >= 3, 'two re-asserts');
    expect(new Set(calls.map((c) => c.join(',')))).toEqual(new Set(['10.0.0.9']));
  });

  it('does nothing before the first wanted content', async () => {
    const { calls } = setup({ reassertMs: 10 });
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toEqual([]);
  });
});
