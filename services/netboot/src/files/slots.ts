/**
 * A counting semaphore with a bounded FIFO queue: at most `max` holders, the next ones wait in
 * arrival order, at most `maxQueue` of them, each for at most its timeout. A waiter whose signal
 * aborts leaves the queue at once. `release` is idempotent, so a slot is given back exactly once
 * whichever of finish, error or abort comes first (or all of them).
 */

export type Release = () => void;

export type Acquired =
  | { ok: true; release: Release; waitedMs: number }
  | { ok: false; reason: 'queue-full' | 'queue-timeout' | 'aborted'; waitedMs: number };

export interface SlotsState {
  active: number;
  queued: number;
}

export interface Slots {
  acquire(timeoutMs: number, signal?: AbortSignal): Promise<Acquired>;
  state(): SlotsState;
}

interface Waiter {
  since: number;
  grant(): void;
}

export interface SlotsOptions {
  /** Holders at once; Infinity for no limit. */
  max: number;
  maxQueue: number;
  now?: () => number;
  /** Called after every change of active or queued. */
  onChange?(state: SlotsState): void;
}

export function createSlots(options: SlotsOptions): Slots {
  const { max, maxQueue } = options;
  const now = options.now ?? Date.now;
  let active = 0;
  // Insertion-ordered: the first key is the oldest waiter; deleting one is O(1).
  const queue = new Set<Waiter>();
  const state = (): SlotsState => ({ active, queued: queue.size });
  const changed = () => options.onChange?.(state());

  function makeRelease(): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      active -= 1;
      const next = queue.values().next();
      if (!next.done) {
        queue.delete(next.value);
        active += 1;
        next.value.grant();
      }
      changed();
    };
  }

  function acquire(timeoutMs: number, signal?: AbortSignal): Promise<Acquired> {
    const since = now();
    if (signal?.aborted) return Promise.resolve({ ok: false, reason: 'aborted', waitedMs: 0 });
    if (active < max && queue.size === 0) {
      active += 1;
      changed();
      return Promise.resolve({ ok: true, release: makeRelease(), waitedMs: 0 });
    }
    if (queue.size >= maxQueue) {
      return Promise.resolve({ ok: false, reason: 'queue-full', waitedMs: 0 });
    }
    return new Promise<Acquired>((resolve) => {
      const leave = (reason: 'queue-timeout' | 'aborted') => {
        if (!queue.delete(waiter)) return;
        cleanup();
        changed();
        resolve({ ok: false, reason, waitedMs: now() - since });
      };
      const onAbort = () => leave('aborted');
      const timer = setTimeout(() => leave('queue-timeout'), timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        since,
        grant: () => {
          cleanup();
          resolve({ ok: true, release: makeRelease(), waitedMs: now() - since });
        },
      };
      queue.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      changed();
    });
  }

  return { acquire, state };
}
