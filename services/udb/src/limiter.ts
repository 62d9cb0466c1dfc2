/** Failures allowed per key within a sliding window. */
export interface Window {
  max: number;
  window_seconds: number;
}

/** Keys kept at most; the oldest are forgotten first, so memory stays bounded under a flood. */
const MAX_KEYS = 50_000;

/**
 * Rate limit of failed logins, per source address and per login, in memory (soft state: a
 * restart forgets it, which only ever lets a few more attempts through).
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly perAddress: Window,
    private readonly perLogin: Window,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait before trying again, or 0 when an attempt is allowed. */
  retryAfter(address: string, login: string): number {
    return Math.max(
      this.wait(`a:${address}`, this.perAddress),
      this.wait(`l:${login}`, this.perLogin),
    );
  }

  fail(address: string, login: string): void {
    this.record(`a:${address}`, this.perAddress);
    this.record(`l:${login}`, this.perLogin);
  }

  succeed(login: string): void {
    this.failures.delete(`l:${login}`);
  }

  private wait(key: string, limit: Window): number {
    const times = this.recent(key, limit);
    if (times.length < limit.max) return 0;
    const oldest = times[times.length - limit.max]!;
    return Math.max(1, Math.ceil((oldest + limit.window_seconds * 1000 - this.now()) / 1000));
  }

  private record(key: string, limit: Window): void {
    const times = this.recent(key, limit);
    times.push(this.now());
    this.failures.delete(key);
    this.failures.set(key, times.slice(-limit.max));
    if (this.failures.size > MAX_KEYS) this.failures.delete(this.failures.keys().next().value!);
  }

  private recent(key: string, limit: Window): number[] {
    const since = this.now() - limit.window_seconds * 1000;
    return (this.failures.get(key) ?? []).filter((t) => t > since);
  }
}
