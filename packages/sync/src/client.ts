import { readFileSync } from 'node:fs';
import { createLogger, type Logger, writeFileAtomic } from '@lanctl/core';
import {
  admitEvents,
  applyBatch,
  type BackoffConfig,
  backoffDelay,
  decodeStateFile,
  describeError,
  describeRefusal,
  encodeStateFile,
  type SyncMeta,
} from './client-state.ts';
import { deferred, IdleTimer, StatePersister } from './client-timers.ts';
import { SseParser, type StreamEvent } from './wire.ts';

export type { SyncMeta } from './client-state.ts';

export interface SyncUpdateInfo {
  revision: number;
  /** The batch held a snapshot (or is the state loaded from the state file). */
  snapshot: boolean;
  /** The batch held a `reset` snapshot: the server could not replay from our revision. */
  reset: boolean;
}

export interface SyncClientOptions<R> {
  /** Origin of the owning service's (or relay's) sync port, e.g. `http://mdb:20010`. */
  baseUrl: string;
  table: string;
  /** Bearer token, or a function read at every connection attempt (token files get rotated). */
  token?: string | (() => string);
  /** Where the last good state is kept, so a restarted consumer serves it while upstream is down. */
  stateFile?: string;
  /** Fields whose change makes an update reported; all of them when omitted (SADM's `watch`). */
  watch?: (keyof R)[];
  /**
   * Called once per applied batch with the live state (not copied: keep a copy to compare later).
   * Awaited before the next batch is applied; a throw or rejection is logged and ignored.
   */
  onUpdate: (
    state: ReadonlyMap<string, R>,
    meta: SyncMeta,
    info: SyncUpdateInfo,
  ) => void | Promise<void>;
  /**
   * Called with the raw events of each applied batch (snapshot and change events as received,
   * already-applied changes dropped), before `onUpdate`; the state loaded from `stateFile` comes
   * as one snapshot event (`reset: false`). For relays, which feed a hub. A throw is logged.
   */
  onEvents?(events: StreamEvent[]): void;
  logger?: Logger;
  backoff?: Partial<BackoffConfig>;
  /** No byte at all (not even a keep-alive) for this long → reconnect. Default 45 000. */
  idleTimeoutMs?: number;
  fetch?: typeof fetch;
}

export interface SyncStatus {
  connected: boolean;
  revision: number;
  /** When the last event was applied, in ms since the epoch; null before the first. */
  lastEventAt: number | null;
  /** Connection attempts after the first one. */
  reconnects: number;
}

export interface SyncClient<R> {
  /** Loads the state file (if any), then connects and keeps the stream up until `stop()`. */
  start(): void;
  /** Closes the stream, stops reconnecting, writes the state file. */
  stop(): Promise<void>;
  readonly state: ReadonlyMap<string, R>;
  readonly revision: number;
  readonly connected: boolean;
  readonly status: SyncStatus;
  /** Resolves once a state exists (loaded from the state file or a first snapshot). */
  ready(): Promise<void>;
}

interface Settings<R> extends SyncClientOptions<R> {
  url: string;
  logger: Logger;
  backoff: BackoffConfig;
  idleTimeoutMs: number;
  fetch: typeof fetch;
}

/** How one connection ended. `refused`: 401/403/404, which only an operator can fix. */
interface Outcome {
  end: 'eof' | 'idle' | 'error' | 'refused' | 'stopped';
  /** At least one byte of stream (event or keep-alive) arrived: the back-off starts over. */
  gotData: boolean;
  reason: string;
}

/**
 * The resuming subscriber of one table's native stream (`GET /api/v1/sync/<table>`), for every
 * table: a snapshot, then changes, reconnecting with back-off and resuming from the last applied
 * revision (`Last-Event-ID`), with the last good state kept in `stateFile`.
 */
export function createSyncClient<R>(options: SyncClientOptions<R>): SyncClient<R> {
  return new ResumingClient(settingsOf(options));
}

function settingsOf<R>(options: SyncClientOptions<R>): Settings<R> {
  const fail = (field: string, message: string): never => {
    throw new TypeError(`createSyncClient: ${field} ${message}`);
  };
  if (!URL.canParse(options.baseUrl)) fail('baseUrl', `is not a URL: "${options.baseUrl}"`);
  if (!options.table) fail('table', 'is required');
  if (typeof options.onUpdate !== 'function') fail('onUpdate', 'must be a function');
  if (options.onEvents !== undefined && typeof options.onEvents !== 'function')
    fail('onEvents', 'must be a function');
  const backoff = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.2, ...options.backoff };
  if (!(backoff.initialMs > 0)) fail('backoff.initialMs', 'must be > 0');
  if (!(backoff.maxMs >= backoff.initialMs)) fail('backoff.maxMs', 'must be ≥ backoff.initialMs');
  if (!(backoff.factor >= 1)) fail('backoff.factor', 'must be ≥ 1');
  if (!(backoff.jitter >= 0 && backoff.jitter <= 1)) fail('backoff.jitter', 'must be in [0, 1]');
  const idleTimeoutMs = options.idleTimeoutMs ?? 45_000;
  if (!(idleTimeoutMs > 0)) fail('idleTimeoutMs', 'must be > 0');
  const base = options.baseUrl.replace(/\/+$/, '');
  return {
    ...options,
    url: `${base}/api/v1/sync/${encodeURIComponent(options.table)}`,
    logger: options.logger ?? createLogger('sync'),
    backoff,
    idleTimeoutMs,
    fetch: options.fetch ?? globalThis.fetch,
  };
}

class ResumingClient<R> implements SyncClient<R> {
  private map = new Map<string, R>();
  private rev: number | null = null;
  private lastEventAt: number | null = null;
  private reconnects = 0;
  private isConnected = false;
  private started = false;
  private stopped = false;
  private running: Promise<void> | undefined;
  private abort: AbortController | undefined;
  private wake: (() => void) | undefined;
  private readonly readiness = deferred();
  private readonly persister: StatePersister | undefined;

  constructor(private readonly s: Settings<R>) {
    if (s.stateFile) {
      const file = s.stateFile;
      this.persister = new StatePersister(() => {
        writeFileAtomic(file, encodeStateFile(s.table, this.revision, this.map));
      }, s.logger);
    }
  }

  get state(): ReadonlyMap<string, R> {
    return this.map;
  }
  get revision(): number {
    return this.rev ?? 0;
  }
  get connected(): boolean {
    return this.isConnected;
  }
  get status(): SyncStatus {
    const { isConnected: connected, revision, lastEventAt, reconnects } = this;
    return { connected, revision, lastEventAt, reconnects };
  }

  ready(): Promise<void> {
    return this.readiness.promise;
  }

  start(): void {
    if (this.started || this.stopped) throw new Error(`sync ${this.s.table}: start() once only`);
    this.started = true;
    this.running = this.run().catch((e: unknown) => {
      this.s.logger.error(`sync ${this.s.table}: client loop failed`, { error: String(e) });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort?.abort();
    this.wake?.();
    await this.running;
    this.persister?.flush();
    this.readiness.reject(new Error(`sync client for ${this.s.table} stopped before any state`));
  }

  private async run(): Promise<void> {
    await this.loadStateFile();
    let attempt = 0;
    while (!this.stopped) {
      const outcome = await this.connectOnce();
      if (this.stopped || outcome.end === 'stopped') break;
      if (outcome.gotData) attempt = 0;
      const delay = backoffDelay(outcome.end === 'refused' ? 'max' : attempt++, this.s.backoff);
      const log = outcome.end === 'refused' ? 'error' : outcome.gotData ? 'info' : 'warn';
      this.s.logger[log](
        `sync ${this.s.table}: ${outcome.reason}; reconnecting in ${delay} ms from revision ${this.rev ?? 'none'}`,
        { table: this.s.table, end: outcome.end, delayMs: delay },
      );
      await this.sleep(delay);
      this.reconnects++;
    }
  }

  private async loadStateFile(): Promise<void> {
    const { stateFile, table, logger } = this.s;
    if (!stateFile) return;
    let text: string;
    try {
      text = readFileSync(stateFile, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        logger.warn(`sync ${table}: cannot read state file ${stateFile}, ignored`, {
          error: String(e),
        });
      }
      return;
    }
    const loaded = decodeStateFile<R>(text, table);
    if ('error' in loaded) {
      logger.warn(
        `sync ${table}: state file ${stateFile} ignored (${loaded.error}); starting fresh`,
      );
      return;
    }
    this.map = loaded.state;
    this.rev = loaded.revision;
    this.readiness.resolve();
    logger.info(`sync ${table}: loaded ${loaded.state.size} rows at revision ${loaded.revision}`);
    const items = [...loaded.state].map(([id, record]) => ({ id, record }));
    const event: StreamEvent = {
      type: 'snapshot',
      data: { revision: loaded.revision, table, reset: false, items },
    };
    const meta: SyncMeta = { created: [...loaded.state.keys()], updated: [], deleted: [] };
    await this.notify([event], meta, { revision: loaded.revision, snapshot: true, reset: false });
  }

  private async connectOnce(): Promise<Outcome> {
    const ac = new AbortController();
    this.abort = ac;
    const idle = new IdleTimer(this.s.idleTimeoutMs, () => ac.abort());
    let gotData = false;
    try {
      idle.arm();
      const res = await this.s.fetch(this.s.url, { headers: this.headers(), signal: ac.signal });
      if (res.status !== 200) return await refusal(res);
      const type = res.headers.get('content-type') ?? '';
      if (!type.startsWith('text/event-stream') || !res.body) {
        return { end: 'error', gotData, reason: `response is "${type}", not an event stream` };
      }
      this.isConnected = true;
      this.s.logger.info(`sync ${this.s.table}: connected to ${this.s.url}`);
      const reader = res.body.getReader();
      const end = await this.consume(reader, idle, () => {
        gotData = true;
      });
      return { ...end, gotData };
    } catch (e) {
      if (this.stopped) return { end: 'stopped', gotData, reason: 'stopped' };
      if (idle.fired) {
        return { end: 'idle', gotData, reason: `nothing received for ${this.s.idleTimeoutMs} ms` };
      }
      return { end: 'error', gotData, reason: describeError(e) };
    } finally {
      idle.clear();
      this.isConnected = false;
      this.abort = undefined;
      ac.abort();
    }
  }

  private headers(): Record<string, string> {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    const token = typeof this.s.token === 'function' ? this.s.token() : this.s.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (this.rev !== null) headers['last-event-id'] = String(this.rev);
    return headers;
  }

  /** Reads the stream until EOF; applies each chunk's events as one batch. */
  private async consume(
    reader: ReadableStreamDefaultReader<Uint8Array>,
    idle: IdleTimer,
    onData: () => void,
  ): Promise<Omit<Outcome, 'gotData'>> {
    const parser = new SseParser();
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { end: 'eof', reason: 'the server closed the stream' };
      onData();
      idle.clear(); // a slow onUpdate is not a silent server
      const admitted = admitEvents(parser.push(decoder.decode(value, { stream: true })), {
        table: this.s.table,
        revision: this.rev,
      });
      if (admitted.events.length > 0) await this.apply(admitted.events);
      if (this.stopped) return { end: 'stopped', reason: 'stopped' };
      if (admitted.error) return { end: 'error', reason: `protocol error: ${admitted.error}` };
      idle.arm();
    }
  }

  private async apply(events: StreamEvent[]): Promise<void> {
    const result = applyBatch(this.map, events, this.s.watch);
    this.map = result.state;
    this.rev = result.revision;
    this.lastEventAt = Date.now();
    this.readiness.resolve();
    this.persister?.schedule();
    const { revision, snapshot, reset } = result;
    if (reset) {
      this.s.logger.warn(`sync ${this.s.table}: the server could not resume; state reset`, {
        revision,
      });
    }
    await this.notify(events, result.meta, { revision, snapshot, reset });
  }

  private async notify(events: StreamEvent[], meta: SyncMeta, info: SyncUpdateInfo): Promise<void> {
    try {
      this.s.onEvents?.(events);
    } catch (e) {
      this.s.logger.error(`sync ${this.s.table}: onEvents failed`, { error: describeError(e) });
    }
    try {
      await this.s.onUpdate(this.map, meta, info);
    } catch (e) {
      this.s.logger.error(`sync ${this.s.table}: onUpdate failed`, {
        error: describeError(e),
        ...info,
      });
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

/** A non-200 answer: 401/403/404 are `refused` (an operator must act), others plain errors. */
async function refusal(res: Response): Promise<Outcome> {
  const body = await res.text().catch(() => '');
  const refused = res.status === 401 || res.status === 403 || res.status === 404;
  const reason = describeRefusal(res.status, res.statusText, body);
  return { end: refused ? 'refused' : 'error', gotData: false, reason };
}
