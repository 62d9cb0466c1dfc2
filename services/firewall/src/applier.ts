import type { Logger } from '@lanctl/core';
import type { Backend } from './backend.ts';
import type { FirewallMetrics, Trigger } from './metrics.ts';

export interface ApplyStatus {
  /** ISO time of the last attempt, null before the first. */
  at: string | null;
  result: 'success' | 'failure' | null;
  trigger: Trigger | null;
  error: string | null;
  /** Addresses in the set as last applied successfully (null: never). */
  size: number | null;
  /** ISO time of the last success. */
  succeeded_at: string | null;
}

export interface Applier {
  /** The wanted content; replaced in the backend if it differs from what was last applied. */
  want(addresses: readonly string[]): void;
  start(): void;
  /** Stops the timers and waits for a replacement under way. */
  stop(): Promise<void>;
  status(): ApplyStatus;
}

export interface ApplierOptions {
  backend: Backend;
  logger: Logger;
  metrics: FirewallMetrics;
  reassertMs: number;
  retryMs: number;
}

/**
 * Keeps the backend's set equal to the last wanted content: one replacement at a time, only when
 * the content changed, every `reassertMs` regardless (a manual flush or a ruleset reload is
 * repaired), and after a failure every `retryMs` until it works. A failed replacement leaves the
 * previous set in place (nft transactions and ipset swaps are atomic).
 */
export function createApplier(options: ApplierOptions): Applier {
  return new SetApplier(options);
}

class SetApplier implements Applier {
  private wanted: readonly string[] | null = null;
  private appliedKey: string | null = null;
  private pending: Trigger | null = null;
  private running: Promise<void> | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private reassertTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly last: ApplyStatus = {
    at: null,
    result: null,
    trigger: null,
    error: null,
    size: null,
    succeeded_at: null,
  };

  constructor(private readonly o: ApplierOptions) {}

  want(addresses: readonly string[]): void {
    this.wanted = [...addresses];
    this.kick('change');
  }

  start(): void {
    this.stopped = false;
    this.reassertTimer = setInterval(() => this.kick('reassert'), this.o.reassertMs);
    this.reassertTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reassertTimer) clearInterval(this.reassertTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.reassertTimer = this.retryTimer = null;
    await this.running;
  }

  status(): ApplyStatus {
    return { ...this.last };
  }

  /** Coalesces requests: a reassert or retry outranks a change (it forces the write). */
  private kick(trigger: Trigger): void {
    if (this.stopped) return;
    this.pending = this.pending === null || this.pending === 'change' ? trigger : this.pending;
    if (this.running) return;
    this.running = this.drain().finally(() => {
      this.running = null;
    });
  }

  private async drain(): Promise<void> {
    while (this.pending !== null && !this.stopped) {
      const next = this.pending;
      this.pending = null;
      await this.attempt(next);
    }
  }

  private async attempt(trigger: Trigger): Promise<void> {
    const addresses = this.wanted;
    if (addresses === null) return;
    const key = addresses.join(',');
    if (trigger === 'change' && key === this.appliedKey) return;
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    this.last.at = new Date().toISOString();
    this.last.trigger = trigger;
    try {
      await this.o.backend.replace(addresses);
      this.succeeded(addresses.length, trigger, key, seconds());
    } catch (e) {
      this.failed(addresses.length, trigger, e instanceof Error ? e.message : String(e), seconds());
    }
  }

  private succeeded(size: number, trigger: Trigger, key: string, seconds: number): void {
    const news =
      key !== this.appliedKey || trigger !== 'reassert' || this.last.result !== 'success';
    if (news) {
      this.o.logger.info('allowed set replaced', {
        backend: this.o.backend.name,
        set: this.o.backend.target,
        addresses: size,
        trigger,
        ms: Math.round(seconds * 1000),
      });
    }
    this.appliedKey = key;
    Object.assign(this.last, { result: 'success', error: null, size, succeeded_at: this.last.at });
    this.o.metrics.applied('success', trigger, seconds, size);
  }

  private failed(size: number, trigger: Trigger, error: string, seconds: number): void {
    Object.assign(this.last, { result: 'failure', error });
    this.o.metrics.applied('failure', trigger, seconds, null);
    this.o.logger.error('replacing the allowed set failed; the previous set stays in place', {
      backend: this.o.backend.name,
      set: this.o.backend.target,
      addresses: size,
      trigger,
      error,
      retry_in_ms: this.o.retryMs,
    });
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.kick('retry');
    }, this.o.retryMs);
    this.retryTimer.unref();
  }
}
