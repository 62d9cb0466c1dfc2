import { type EventLoopUtilization, performance } from 'node:perf_hooks';

export interface ShedLimits {
  /** Packets taken in and not yet answered (most wait for their lease's commit). */
  maxInFlight: number;
  /** Event-loop utilization (0–1) over a sample above which the loop counts as saturated. */
  busyUtilization: number;
  sampleMs: number;
  /** Saturated samples in a row before shedding starts (a shorter stall is not load). */
  saturatedSamples: number;
  /** How much of the DISCOVERs to shed more after a saturated sample, and less after another. */
  shedStep: { up: number; down: number };
}

export const DEFAULT_SHED_LIMITS: ShedLimits = {
  maxInFlight: 2000,
  busyUtilization: 0.9,
  sampleMs: 100,
  saturatedSamples: 5,
  shedStep: { up: 0.1, down: 0.05 },
};

/** The most of the DISCOVERs shed for a saturated loop (some exchanges keep starting). */
const MAX_SHED_SHARE = 0.9;

/** Why a new exchange should not start now, or null. */
export type Overload = 'in-flight' | 'busy' | null;

/**
 * Load shedding: past saturation, answering every DISCOVER makes the queues (the kernel's and
 * ours) longer than the clients' patience, and the REQUESTs that would complete exchanges are
 * lost in them. So new DISCOVERs are dropped (clients retry in seconds), never REQUESTs: all of
 * them while too many packets wait for their commit, and a share that follows the event loop's
 * utilization (raised after each saturated sample from the fifth in a row, lowered after each
 * unsaturated one), so the loop stays just under saturation instead of swinging between serving
 * everything and nothing.
 */
export function createShedder(limits: ShedLimits = DEFAULT_SHED_LIMITS) {
  let inFlight = 0;
  let share = 0;
  let credit = 0;
  let saturatedRun = 0;
  let last: EventLoopUtilization | null = null;
  let timer: NodeJS.Timeout | null = null;
  const shedder = {
    enter: () => void inFlight++,
    leave: () => void inFlight--,
    /** Whether a new exchange (a DISCOVER) should be dropped now, and why. */
    overload(): Overload {
      if (inFlight >= limits.maxInFlight) return 'in-flight';
      if (share === 0) return null;
      credit += share; // drops exactly `share` of the DISCOVERs, evenly spread
      if (credit < 1) return null;
      credit -= 1;
      return 'busy';
    },
    /** Adjusts the shed share after a sample of the loop's utilization (0–1). */
    sampled(utilization: number): void {
      const { up, down } = limits.shedStep;
      const saturated = utilization >= limits.busyUtilization;
      saturatedRun = saturated ? saturatedRun + 1 : 0;
      // A few saturated samples are a stall (GC, a table update, code warming up), more are load.
      const load = saturatedRun >= limits.saturatedSamples;
      const next = load ? share + up : saturated ? share : share - down;
      share = Math.min(MAX_SHED_SHARE, Math.max(0, next));
      if (share === 0) credit = 0;
    },
    get share() {
      return share;
    },
    start() {
      last = performance.eventLoopUtilization();
      timer = setInterval(() => {
        const now = performance.eventLoopUtilization();
        if (last) shedder.sampled(performance.eventLoopUtilization(now, last).utilization);
        last = now;
      }, limits.sampleMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      share = 0;
    },
  };
  return shedder;
}
