/**
 * bench:presence's load: workstations' heartbeats spread evenly over their period, a stream of
 * login/logout pairs, and SSE subscribers to the `presence` stream; each keeps its own counts.
 */
import { request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { SseParser } from '@lanctl/sync';
import { type Client, percentile, round } from '../http.ts';
import { benchHost, benchLogin } from './presence-setup.ts';

export interface Latency {
  ok: number;
  errors: number;
  retried: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
}

/** Latencies (ms) and outcomes of one kind of request over one phase. */
export class Tally {
  readonly latencies: number[] = [];
  ok = 0;
  /** Requests sent again after a connection reset (see `post`). */
  retried = 0;
  /** Failures by HTTP status and error code, or by network error. */
  readonly errors = new Map<string, number>();

  fail(what: string): void {
    this.errors.set(what, (this.errors.get(what) ?? 0) + 1);
  }

  get errorCount(): number {
    let n = 0;
    for (const v of this.errors.values()) n += v;
    return n;
  }

  summary(): Latency {
    const sorted = Float64Array.from(this.latencies).sort();
    return {
      ok: this.ok,
      errors: this.errorCount,
      retried: this.retried,
      p50_ms: round(percentile(sorted, 0.5), 2),
      p99_ms: round(percentile(sorted, 0.99), 2),
      max_ms: round(sorted[sorted.length - 1] ?? 0, 2),
    };
  }
}

/**
 * One presence POST; resolves with whether it got a 200, never rejects. A reset connection is
 * retried once (counted in `retried`): with keep-alive, the server may close a socket that sat
 * idle for its keep-alive timeout just as the pool hands it to a new request.
 */
async function post(
  client: Client,
  tally: Tally,
  what: 'login' | 'logout' | 'heartbeat',
  login: string,
  hostname: string,
): Promise<boolean> {
  const t0 = performance.now();
  for (let attempt = 0; ; attempt++) {
    try {
      const reply = await client.call('POST', `/api/v1/presence/${what}`, { login, hostname });
      tally.latencies.push(performance.now() - t0);
      if (reply.status === 200) {
        tally.ok++;
        return true;
      }
      tally.fail(`${reply.status} ${reply.body?.error?.code ?? ''}`.trim());
      return false;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ECONNRESET' && attempt === 0) {
        tally.retried++;
        continue;
      }
      tally.fail(code ?? (e as Error).message);
      return false;
    }
  }
}

/**
 * Calls `fire(k)` for k = 0, 1, 2... at `start + k * intervalMs`, checked every 2 ms; a late
 * tick fires everything due at once (the rate holds on average). Returns a stop function.
 */
function ticker(intervalMs: number, fire: (k: number) => void): () => void {
  const start = performance.now();
  let k = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    while (start + k * intervalMs <= now) fire(k++);
  }, 2);
  return () => clearInterval(timer);
}

/**
 * `machines` workstations each sending (u<i>, pc<i>) every `periodMs`, spread evenly: one
 * heartbeat every periodMs / machines. `tally()` is the current phase's, switched by `phase`.
 */
export class Heartbeats {
  private current = new Tally();
  private stopTicker: (() => void) | null = null;
  private readonly inFlight = new Set<Promise<boolean>>();

  constructor(
    private readonly client: Client,
    private readonly machines: number,
    private readonly periodMs: number,
  ) {}

  start(): void {
    this.stopTicker = ticker(this.periodMs / this.machines, (k) => {
      const i = k % this.machines;
      const sent = post(this.client, this.current, 'heartbeat', benchLogin(i), benchHost(i));
      this.inFlight.add(sent);
      void sent.then(() => this.inFlight.delete(sent));
    });
  }

  /** Starts counting into a fresh tally; returns the previous one. */
  phase(): Tally {
    const done = this.current;
    this.current = new Tally();
    return done;
  }

  async stop(): Promise<void> {
    this.stopTicker?.();
    await Promise.all(this.inFlight);
  }
}

/**
 * `perSecond` login/logout cycles on spare pairs (u<i>, pc<i>) for i in [first, first + spares),
 * round robin: a fresh login (nobody on the machine, the user nowhere), then its logout.
 * `sentAt` tells the stream subscribers when each login was sent, for the propagation delay.
 */
export class LoginStream {
  readonly logins = new Tally();
  readonly logouts = new Tally();
  readonly sentAt = new Map<string, number>();
  private stopTicker: (() => void) | null = null;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly client: Client,
    private readonly first: number,
    private readonly spares: number,
  ) {}

  start(perSecond: number): void {
    this.stopTicker = ticker(1000 / perSecond, (k) => {
      const cycle = this.cycle(this.first + (k % this.spares));
      this.inFlight.add(cycle);
      void cycle.then(() => this.inFlight.delete(cycle));
    });
  }

  private async cycle(i: number): Promise<void> {
    const login = benchLogin(i);
    const hostname = benchHost(i);
    this.sentAt.set(login, performance.now());
    if (await post(this.client, this.logins, 'login', login, hostname)) {
      await post(this.client, this.logouts, 'logout', login, hostname);
    }
  }

  async stop(): Promise<void> {
    this.stopTicker?.();
    await Promise.all(this.inFlight);
  }
}

/** Logs spare pair `i` in every `everyMs` until accepted (the end of "too early"), then out. */
export async function firstAcceptedLogin(
  client: Client,
  i: number,
  everyMs: number,
  limitMs: number,
): Promise<{ after_ms: number; refusals: Tally }> {
  const refusals = new Tally();
  const t0 = performance.now();
  while (performance.now() - t0 < limitMs) {
    if (await post(client, refusals, 'login', benchLogin(i), benchHost(i))) {
      const after = performance.now() - t0;
      await client.expect(200, 'POST', '/api/v1/presence/logout', {
        login: benchLogin(i),
        hostname: benchHost(i),
      });
      return { after_ms: Math.round(after), refusals };
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(
    `no login accepted within ${limitMs} ms: ${JSON.stringify([...refusals.errors])}`,
  );
}

/**
 * A follower of `GET /api/v1/sync/presence` (what sso, firewall and usermap run): keeps the
 * table (login → hostname), counts change events, and notes when the table first held
 * `target` sessions and how long after its send each watched login arrived.
 */
export class Subscriber {
  readonly table = new Map<string, string>();
  changes = 0;
  snapshots = 0;
  fullAt: number | null = null;
  readonly delays: number[] = [];
  private closeStream: (() => void) | null = null;

  constructor(
    private readonly target: number,
    private readonly sentAt: Map<string, number>,
  ) {}

  /** Resolves once the stream answered 200 (events then flow in the background). */
  open(url: string, token: string): Promise<void> {
    const parser = new SseParser();
    return new Promise((resolve, reject) => {
      const req = request(
        `${url}/api/v1/sync/presence`,
        { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } },
        (res) => {
          if (res.statusCode !== 200) {
            reject(new Error(`presence stream: status ${res.statusCode}`));
            res.resume();
            return;
          }
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            for (const e of parser.push(chunk)) this.onEvent(e);
          });
          res.on('error', () => {});
          resolve();
        },
      );
      req.on('error', (e) => (this.closeStream ? undefined : reject(e)));
      req.end();
      this.closeStream = () => req.destroy();
    });
  }

  private onEvent(e: ReturnType<SseParser['push']>[number]): void {
    if (e.type === 'snapshot') {
      this.snapshots++;
      if (e.data.reset) this.table.clear();
      for (const item of e.data.items) {
        const r = item.record as { login: string; hostname: string };
        this.table.set(r.login, r.hostname);
      }
    } else if (e.type === 'change') {
      this.changes++;
      const r = e.data.record as { login: string; hostname: string };
      if (e.data.op === 'delete') this.table.delete(r.login);
      else {
        this.table.set(r.login, r.hostname);
        const sent = this.sentAt.get(r.login);
        if (sent !== undefined) this.delays.push(performance.now() - sent);
      }
    }
    if (this.fullAt === null && this.table.size >= this.target) this.fullAt = performance.now();
  }

  close(): void {
    this.closeStream?.();
  }
}

/** The cumulative buckets of a Prometheus histogram in a /metrics text (le → count). */
export function histogramBuckets(text: string, name: string): Map<number, number> {
  const buckets = new Map<number, number>();
  const pattern = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+(?:\\.\\d+)?)$`, 'gm');
  for (const m of text.matchAll(pattern)) {
    buckets.set(m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]), Number(m[2]));
  }
  return buckets;
}

/**
 * The upper bound of the bucket holding quantile `q` of the observations made between two
 * readings of the same histogram (null if none were made).
 */
export function bucketQuantile(
  before: Map<number, number>,
  after: Map<number, number>,
  q: number,
): { le: number; count: number } | null {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const count =
    (after.get(Number.POSITIVE_INFINITY) ?? 0) - (before.get(Number.POSITIVE_INFINITY) ?? 0);
  if (count <= 0) return null;
  for (const le of bounds) {
    const n = (after.get(le) ?? 0) - (before.get(le) ?? 0);
    if (n >= q * count) return { le, count };
  }
  return { le: Number.POSITIVE_INFINITY, count };
}

/** Observations per bucket (upper bound in s → count) made between two readings. */
export function bucketCounts(
  before: Map<number, number>,
  after: Map<number, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  let below = 0;
  for (const le of [...after.keys()].sort((a, b) => a - b)) {
    const cumulative = (after.get(le) ?? 0) - (before.get(le) ?? 0);
    out[String(le)] = cumulative - below;
    below = cumulative;
  }
  return out;
}

/** A gauge or counter's value in a /metrics text (the first series of that name). */
export function metricValue(text: string, name: string): number | null {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}
