/**
 * A sync test's subscriber: createSyncClient with a tap on its HTTP streams that records every
 * raw event per connection (before the client's own filtering could hide a duplicate), and the
 * check of those connections against the change log.
 */
import { createLogger } from '@lanctl/core';
import { createSyncClient, type SyncClient, type SyncUpdateInfo } from '@lanctl/sync';

/** One HTTP connection of a subscriber: where it resumed from and every event it carried. */
export interface TappedConnection {
  /** The `Last-Event-ID` sent, or null for a fresh start. */
  resume: number | null;
  /** HTTP status of the answer (0: no answer). */
  status: number;
  /** Bytes of stream received. */
  bytes: number;
  events: { type: string; revision: number }[];
}

/**
 * A `fetch` for createSyncClient that records, per connection, the raw SSE events on the wire
 * (the `id:` and `event:` lines), before the client's own filtering of duplicates can hide them.
 * The answer is the real one, with a body whose reader looks at each chunk it hands over.
 */
export function tappedFetch(connections: TappedConnection[]): typeof fetch {
  return async (input, init) => {
    const last = new Headers(init?.headers).get('last-event-id');
    const connection: TappedConnection = {
      resume: last === null ? null : Number(last),
      status: 0,
      bytes: 0,
      events: [],
    };
    connections.push(connection);
    const res = await fetch(input, init);
    connection.status = res.status;
    const body = res.body;
    if (!body) return res;
    const scanner = new EventLineScanner(connection.events);
    const tapped = {
      getReader() {
        const reader = body.getReader();
        return {
          async read() {
            const chunk = await reader.read();
            if (!chunk.done) {
              connection.bytes += chunk.value.length;
              scanner.push(chunk.value);
            }
            return chunk;
          },
          cancel: (reason?: unknown) => reader.cancel(reason),
          releaseLock: () => reader.releaseLock(),
          closed: reader.closed,
        };
      },
    };
    return new Proxy(res, {
      get(target, prop) {
        if (prop === 'body') return tapped;
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
}

/** Pairs each `id: N` line with the `event: T` line after it; skips data lines cheaply. */
class EventLineScanner {
  private partial = '';
  private id: number | null = null;
  private readonly decoder = new TextDecoder();
  constructor(private readonly out: { type: string; revision: number }[]) {}
  push(bytes: Uint8Array): void {
    const text = this.decoder.decode(bytes, { stream: true });
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) {
        // Keep at most a short head of an unfinished line: data lines can be megabytes.
        if (this.partial.length < 64) this.partial += text.slice(start, start + 64);
        return;
      }
      const line = this.partial + text.slice(start, Math.min(nl, start + 64));
      this.partial = '';
      start = nl + 1;
      if (line.startsWith('id: ')) this.id = Number(line.slice(4));
      else if (line.startsWith('event: ') && this.id !== null) {
        this.out.push({ type: line.slice(7), revision: this.id });
        this.id = null;
      }
    }
  }
}

export interface Subscriber {
  client: SyncClient<Record<string, unknown>>;
  connections: TappedConnection[];
  /** Every onUpdate call's info, in order. */
  updates: SyncUpdateInfo[];
  /** Whatever broke "the revision never goes backwards" at the client. */
  problems: string[];
}

export interface SubscriberOptions {
  baseUrl: string;
  token: string;
  stateFile?: string;
  table?: string;
}

/** A started createSyncClient whose stream is tapped and whose updates are checked. */
export function startSubscriber(options: SubscriberOptions): Subscriber {
  const connections: TappedConnection[] = [];
  const updates: SyncUpdateInfo[] = [];
  const problems: string[] = [];
  const client = createSyncClient<Record<string, unknown>>({
    baseUrl: options.baseUrl,
    table: options.table ?? 'machines',
    token: options.token,
    stateFile: options.stateFile,
    logger: createLogger('sync', { silent: true }),
    backoff: { initialMs: 100, maxMs: 1000 },
    fetch: tappedFetch(connections),
    onUpdate(_state, _meta, info) {
      const previous = updates[updates.length - 1];
      if (previous && info.revision < previous.revision)
        problems.push(`revision went back from ${previous.revision} to ${info.revision}`);
      if (previous && !info.snapshot && info.revision === previous.revision)
        problems.push(`a change batch repeated revision ${info.revision}`);
      updates.push(info);
    },
  });
  client.start();
  return { client, connections, updates, problems };
}

/**
 * Checks every tapped connection of a subscriber against `machineRevisions` (every revision of a
 * `machines` change in change_log, ascending): a connection that resumed from R carries exactly
 * the machine changes after R, in order, none missing or repeated (a prefix of them if it was
 * cut); a connection that got a snapshot at S carries exactly those after S; revisions never go
 * backwards, within a connection or from one resume point to the next.
 */
export function connectionProblems(
  connections: readonly TappedConnection[],
  machineRevisions: readonly number[],
): string[] {
  const problems: string[] = [];
  let lastResume = -1;
  connections.forEach((c, n) => {
    const where = `connection ${n} (resume ${c.resume})`;
    if (c.resume !== null) {
      if (c.resume < lastResume) problems.push(`${where}: resumed before ${lastResume}`);
      lastResume = c.resume;
    }
    let at = c.resume ?? -1;
    let index = firstAbove(machineRevisions, at);
    c.events.forEach((e, i) => {
      if (e.type === 'snapshot') {
        if (i !== 0) problems.push(`${where}: snapshot at position ${i}`);
        if (e.revision < at) problems.push(`${where}: snapshot ${e.revision} older than ${at}`);
        at = e.revision;
        index = firstAbove(machineRevisions, at);
        return;
      }
      if (at === -1) problems.push(`${where}: a change before any snapshot`);
      const expected = machineRevisions[index];
      if (e.revision !== expected) {
        problems.push(`${where}: event ${i} is revision ${e.revision}, expected ${expected}`);
      }
      at = e.revision;
      index = firstAbove(machineRevisions, at);
    });
  });
  return problems.slice(0, 20);
}

function firstAbove(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
