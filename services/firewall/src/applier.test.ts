import { createLogger, createMetricsRegistry } from '@lanctl/core';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type Applier, createApplier } from './applier.ts';
import type { Backend } from './backend.ts';
import { createFirewallMetrics } from './metrics.ts';
import { keepAll } from './screen.ts';

/** A backend recording each replacement; `failNext` makes the next ones throw. */
function fakeBackend() {
  const calls: string[][] = [];
  let live: string[] = [];
  let failures = 0;
  const backend: Backend = {
    name: 'nftables',
    target: 'inet lanctl allowed_internet',
    screen: keepAll,
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

/** Lets timers due within `ms` fire, and the replacements they start settle (fake time). */
const elapse = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

let applier: Applier | undefined;
beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(async () => {
  await applier?.stop();
  applier = undefined;
  vi.useRealTimers();
});

const PERIOD = 1000;

function setup(options: { reassertMs?: number; retryMs?: number } = {}) {
  const fake = fakeBackend();
  const registry = createMetricsRegistry();
  applier = createApplier({
    backend: fake.backend,
    logger: createLogger('firewall', { silent: true }),
    metrics: createFirewallMetrics(registry, () => []),
    reassertMs: options.reassertMs ?? 60 * PERIOD,
    retryMs: options.retryMs ?? PERIOD,
  });
  applier.start();
  const metric = async (name: string) => (await registry.getSingleMetricAsString(name)).split('\n');
  return { ...fake, applier, metric };
}

describe('applier', () => {
  it('replaces the set only when the content changed', async () => {
    const { applier, calls, live } = setup();
    applier.want(['10.0.0.1']);
    await elapse();
    expect(live()).toEqual(['10.0.0.1']);
    applier.want(['10.0.0.1']);
    applier.want(['10.0.0.1', '10.0.0.2']);
    await elapse();
    expect(live()).toEqual(['10.0.0.1', '10.0.0.2']);
    applier.want(['10.0.0.1', '10.0.0.2']);
    await elapse(10 * PERIOD);
    expect(calls).toEqual([['10.0.0.1'], ['10.0.0.1', '10.0.0.2']]);
    expect(applier.status()).toMatchObject({ result: 'success', size: 2, error: null });
  });

  it('a failure keeps the previous set, is counted, logged and retried every retryMs', async () => {
    const { applier, failNext, live, calls, metric } = setup({ retryMs: PERIOD });
    applier.want(['10.0.0.1']);
    await elapse();
    failNext(2);
    applier.want(['10.0.0.1', '10.0.0.2']);
    await elapse();
    expect(applier.status()).toMatchObject({ result: 'failure', trigger: 'change', size: 1 });
    expect(applier.status().error).toMatch(/Could not process rule/);
    expect(live()).toEqual(['10.0.0.1']);
    expect(calls).toHaveLength(2);
    await elapse(PERIOD - 1);
    expect(calls).toHaveLength(2); // not before retryMs
    await elapse(1);
    expect(calls).toHaveLength(3); // the first retry, failing again
    expect(applier.status()).toMatchObject({ result: 'failure', trigger: 'retry' });
    await elapse(PERIOD);
    expect(calls).toHaveLength(4);
    expect(live()).toEqual(['10.0.0.1', '10.0.0.2']);
    await elapse(5 * PERIOD);
    expect(calls).toHaveLength(4); // success stops the retries
    const lines = await metric('lanctl_firewall_applies_total');
    expect(lines).toContain('lanctl_firewall_applies_total{result="failure",trigger="change"} 1');
    expect(lines).toContain('lanctl_firewall_applies_total{result="failure",trigger="retry"} 1');
    expect(lines).toContain('lanctl_firewall_applies_total{result="success",trigger="retry"} 1');
  });

  it('re-asserts the same content once per period (a manual flush is repaired)', async () => {
    const { applier, calls } = setup({ reassertMs: PERIOD });
    applier.want(['10.0.0.9']);
    await elapse();
    expect(calls).toHaveLength(1);
    await elapse(3 * PERIOD);
    expect(calls).toEqual(Array.from({ length: 4 }, () => ['10.0.0.9']));
  });

  it('does nothing before the first wanted content, across several periods', async () => {
    const { applier, calls } = setup({ reassertMs: PERIOD, retryMs: PERIOD });
    await elapse(5 * PERIOD);
    expect(calls).toEqual([]);
    expect(applier.status()).toMatchObject({ at: null, result: null });
    applier.want([]);
    await elapse();
    expect(calls).toEqual([[]]); // an empty wanted set is applied: it is content
  });

  it('stop() ends the timers: no re-assert or retry afterwards', async () => {
    const { applier, calls, failNext } = setup({ reassertMs: PERIOD, retryMs: PERIOD });
    failNext(1);
    applier.want(['10.0.0.1']);
    await elapse();
    expect(calls).toHaveLength(1);
    await applier.stop();
    await elapse(5 * PERIOD);
    expect(calls).toHaveLength(1);
  });
});
