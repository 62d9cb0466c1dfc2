import { Counter, createLogger, Registry } from '@lanctl/core';
import { describe, expect, it, vi } from 'vitest';
import { usermapConfigSchema } from './config.ts';
import type { Pinger, PingResult } from './pinger.ts';
import { Prober } from './prober.ts';

const setup = (pinger: Pinger, ping: object = {}) => {
  const registry = new Registry();
  const pings = new Counter({
    name: 'p_total',
    help: 'h',
    labelNames: ['result'],
    registers: [registry],
  });
  let changes = 0;
  const prober = new Prober(
    usermapConfigSchema.parse({ ping: { interval_seconds: 1, ...ping } }).ping,
    {
      pinger,
      targets: () => [
        { hostname: 'a', ip: '10.0.0.1' },
        { hostname: 'b', ip: '10.0.0.2' },
      ],
      onChange: () => changes++,
      pings,
      logger: createLogger('sso', { silent: true }),
    },
  );
  return { prober, registry, changes: () => changes };
};

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((r) => setTimeout(r, 10));
};

describe('Prober', () => {
  it('stop() aborts the pings in flight and counts none of them', async () => {
    let started = 0;
    const hanging: Pinger = {
      ping: (_ip, _t, signal) =>
        new Promise<PingResult>((resolve) => {
          started++;
          signal.addEventListener('abort', () => resolve('error'));
        }),
    };
    const { prober, registry } = setup(hanging);
    prober.start();
    await until(() => started === 2);
    await prober.stop();
    expect((await registry.getSingleMetric('p_total')?.get())?.values).toEqual([]);
    expect(prober.unreachable().size).toBe(0);
  });

  it('pings that cannot run never make a machine unreachable', async () => {
    let rounds = 0;
    const broken: Pinger = {
      ping: async () => {
        rounds++;
        return 'error';
      },
    };
    const { prober, changes } = setup(broken, { failures: 1 });
    prober.start();
    await until(() => rounds >= 4);
    await prober.stop();
    expect(prober.unreachable().size).toBe(0);
    expect(changes()).toBe(0);
  });

  it('does nothing when disabled', async () => {
    let calls = 0;
    const counting: Pinger = {
      ping: async () => {
        calls++;
        return 'down';
      },
    };
    vi.useFakeTimers();
    try {
      const { prober } = setup(counting, { enabled: false });
      prober.start();
      await vi.advanceTimersByTimeAsync(5_000); // five ping intervals
      await prober.stop();
      expect(calls).toBe(0);
      // The same setup with pinging on does ping in that time: the check above can fail.
      const on = setup(counting, { enabled: true });
      on.prober.start();
      await vi.advanceTimersByTimeAsync(5_000);
      await on.prober.stop();
      expect(calls).toBeGreaterThan(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
