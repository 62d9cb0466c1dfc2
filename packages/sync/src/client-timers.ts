import type { Logger } from '@lanctl/core';
import { describeError } from './client-state.ts';

/** The sync client's timers and its readiness promise (client.ts holds the stream logic). */

const STATE_WRITE_INTERVAL_MS = 200;

/** Fires once if not re-armed or cleared within `ms`. */
export class IdleTimer {
  fired = false;
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly ms: number,
    private readonly onIdle: () => void,
  ) {}
  arm(): void {
    this.clear();
    this.timer = setTimeout(() => {
      this.fired = true;
      this.onIdle();
    }, this.ms);
  }
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** Writes at most once per interval after changes, and on demand (`flush`). */
export class StatePersister {
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  constructor(
    private readonly write: () => void,
    private readonly logger: Logger,
  ) {}
  schedule(): void {
    this.dirty = true;
    this.timer ??= setTimeout(() => this.flush(), STATE_WRITE_INTERVAL_MS);
  }
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirty) return;
    this.dirty = false;
    try {
      this.write();
    } catch (e) {
      this.logger.error('sync: cannot write the state file', { error: describeError(e) });
    }
  }
}

export function deferred(): { promise: Promise<void>; resolve(): void; reject(e: Error): void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // nobody awaiting ready() is not an unhandled rejection
  return { promise, resolve, reject };
}
