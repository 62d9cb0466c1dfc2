import { setMaxListeners } from 'node:events';
import type { Counter, Logger } from '@lanctl/core';
import type { UsermapConfig } from './config.ts';
import {
  eachLimited,
  type Pinger,
  type PingResult,
  sameSet,
  tally,
  unreachableOf,
} from './pinger.ts';

export interface PingTarget {
  hostname: string;
  ip: string;
}

export interface ProberDeps {
  pinger: Pinger;
  /** The machines to ping this round. */
  targets: () => readonly PingTarget[];
  /** Called when the unreachable set changed. */
  onChange: () => void;
  pings: Counter<'result'>;
  logger: Logger;
}

/**
 * Pings every target each `interval_seconds` (a round starts when the previous one ended, at the
 * earliest one interval after it started); a host is unreachable after `failures` lost pings.
 */
export class Prober {
  private failures = new Map<string, number>();
  private down: ReadonlySet<string> = new Set();
  private timer: NodeJS.Timeout | null = null;
  private abort: AbortController | null = null;
  private round: Promise<void> | null = null;
  private erroring = false;

  constructor(
    private readonly config: UsermapConfig['ping'],
    private readonly deps: ProberDeps,
  ) {}

  /** Hosts shown unreachable now (always empty with ping disabled). */
  unreachable(): ReadonlySet<string> {
    return this.down;
  }

  start(): void {
    if (this.config.enabled && !this.abort) this.loop();
  }

  /** Kills the pings in flight and waits for their round to end. */
  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort?.abort();
    this.abort = null;
    await this.round;
  }

  private loop(): void {
    const controller = new AbortController();
    // Every ping in flight listens to it.
    setMaxListeners(this.config.concurrency + 10, controller.signal);
    this.abort = controller;
    const started = Date.now();
    this.round = this.runRound(controller.signal)
      .catch((e: unknown) => {
        this.deps.logger.error('usermap ping round failed', { error: String(e) });
      })
      .finally(() => {
        this.round = null;
        if (controller.signal.aborted) return;
        const wait = Math.max(0, started + this.config.interval_seconds * 1000 - Date.now());
        this.timer = setTimeout(() => this.loop(), wait);
        this.timer.unref();
      });
  }

  private async runRound(signal: AbortSignal): Promise<void> {
    const { pinger, pings } = this.deps;
    const results = new Map<string, PingResult>();
    await eachLimited(this.deps.targets(), this.config.concurrency, async ({ hostname, ip }) => {
      const result = await pinger
        .ping(ip, this.config.timeout_seconds, signal)
        .catch(() => 'error' as const);
      if (signal.aborted) return;
      results.set(hostname, result);
      pings.inc({ result });
    });
    if (signal.aborted) return;
    this.noteErrors([...results].filter(([, r]) => r === 'error').map(([host]) => host));
    this.failures = tally(this.failures, results);
    const next = unreachableOf(this.failures, this.config.failures);
    if (sameSet(next, this.down)) return;
    this.deps.logger.info('usermap reachability changed', {
      unreachable: [...next].filter((h) => !this.down.has(h)),
      reachable: [...this.down].filter((h) => !next.has(h)),
    });
    this.down = next;
    this.deps.onChange();
  }

  /** One warning when pings start failing to run (no ping binary, ...), one line when they run again. */
  private noteErrors(hosts: string[]): void {
    const { logger } = this.deps;
    if (hosts.length > 0 && !this.erroring) {
      logger.warn('usermap: ping could not run', {
        hosts: hosts.slice(0, 10),
        count: hosts.length,
      });
    } else if (hosts.length === 0 && this.erroring) {
      logger.info('usermap: ping runs again');
    }
    this.erroring = hosts.length > 0;
  }
}
