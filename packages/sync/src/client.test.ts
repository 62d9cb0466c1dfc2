import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger } from '@lanctl/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createSyncClient,
  type SyncClient,
  type SyncClientOptions,
  type SyncMeta,
  type SyncUpdateInfo,
} from './client.ts';
import type { ChangeOp } from './log.ts';
import {
  type ChangeEvent,
  encodeChange,
  encodeSnapshot,
  KEEP_ALIVE,
  type StreamEvent,
} from './wire.ts';

interface Rec {
  host: string;
  ip: string;
  tags?: string[];
}

type Mode = 'ok' | 'mute' | 'silent' | 'down' | 'unauthorized' | 'error500';

/**
 * A tiny native-stream server for one table `t`: snapshot or resume (Last-Event-ID / ?since),
 * live changes, and misbehaviour on demand (cut streams, silence, refusals, a compacted log).
 */
class FakeStream {
  readonly rows = new Map<string, Rec>();
  readonly log: ChangeEvent<Rec>[] = [];
  revision = 0;
  /** Resumes from below this revision get a reset snapshot (log compacted). */
  floor = 0;
  /** Modes for the next connections, in order; then `mode`. */
  readonly next: Mode[] = [];
  mode: Mode = 'ok';
  readonly requests: { at: number; lastEventId?: string; since?: string; auth?: string }[] = [];
  private readonly open = new Set<ServerResponse>();
  private readonly silent = new Set<ServerResponse>();
  private server!: Server;
  url = '';

  async listen(): Promise<this> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  get streams(): number {
    return this.open.size;
  }

  change(id: string, op: ChangeOp, record: Rec, send = true): void {
    const event: ChangeEvent<Rec> = { revision: ++this.revision, table: 't', id, op, record };
    if (op === 'delete') this.rows.delete(id);
    else this.rows.set(id, record);
    this.log.push(event);
    if (send) this.broadcast(encodeChange(event));
  }

  broadcast(text: string): void {
    for (const res of this.open) if (!this.silent.has(res)) res.write(text);
  }

  /** Cuts every open stream, as a server shedding a slow subscriber does. */
  cut(): void {
    for (const res of this.open) res.destroy();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const header = req.headers['last-event-id'] as string | undefined;
    const since = url.searchParams.get('since') ?? undefined;
    this.requests.push({
      at: performance.now(),
      lastEventId: header,
      since,
      auth: req.headers.authorization,
    });
    const mode = this.next.shift() ?? this.mode;
    if (url.pathname !== '/api/v1/sync/t')
      json(res, 404, 'not_found', `no stream "${url.pathname}"`);
    else if (mode === 'down') req.socket.destroy();
    else if (mode === 'unauthorized') json(res, 401, 'unauthorized', 'token expired');
    else if (mode === 'error500') json(res, 500, 'internal', 'boom');
    else this.stream(mode, header ?? since, res);
  }

  private stream(mode: Mode, from: string | undefined, res: ServerResponse): void {
    this.open.add(res);
    res.on('close', () => {
      this.open.delete(res);
      this.silent.delete(res);
    });
    if (mode === 'mute') return; // accepted, never answers: a half-open connection
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8' });
    res.flushHeaders();
    if (mode === 'silent') {
      this.silent.add(res);
      return;
    }
    if (from !== undefined && Number(from) >= this.floor) {
      res.write(
        this.log
          .filter((e) => e.revision > Number(from))
          .map(encodeChange)
          .join(''),
      );
    } else {
      const items = [...this.rows].map(([id, record]) => ({ id, record }));
      res.write(
        encodeSnapshot({ revision: this.revision, table: 't', reset: from !== undefined, items }),
      );
    }
  }
}

function json(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { code, message } }));
}

interface Call {
  state: Map<string, Rec>;
  meta: SyncMeta;
  info: SyncUpdateInfo;
}

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function fakeServer(): Promise<FakeStream> {
  const server = await new FakeStream().listen();
  cleanup.push(() => server.close());
  return server;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lanctl-sync-client-'));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function subscribe(server: FakeStream, options: Partial<SyncClientOptions<Rec>> = {}) {
  const calls: Call[] = [];
  const lines: { level: string; message: string }[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const client: SyncClient<Rec> = createSyncClient<Rec>({
    baseUrl: server.url,
    table: 't',
    backoff: { initialMs: 5, maxMs: 20 },
    logger: createLogger('test', { stream, level: 'debug' }),
    onUpdate: (state, meta, info) => {
      calls.push({ state: new Map(state), meta, info });
    },
    ...options,
  });
  cleanup.push(() => client.stop());
  return { client, calls, lines };
}

async function until(what: string, predicate: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const meta = (m: Partial<SyncMeta>): SyncMeta => ({ created: [], updated: [], deleted: [], ...m });
const rec = (host: string, ip = '10.0.0.1', tags?: string[]): Rec =>
  tags ? { host, ip, tags } : { host, ip };

describe('createSyncClient', () => {
  it('reports a first snapshot as created, then each change', async () => {
    const server = await fakeServer();
    server.change('a', 'create', rec('pc-a'));
    server.change('b', 'create', rec('pc-b'));
    let token = 'tok-1';
    const { client, calls } = subscribe(server, { token: () => token });
    client.start();
    await client.ready();
    expect(calls[0]!.meta).toEqual(meta({ created: ['a', 'b'] }));
    expect(calls[0]!.info).toEqual({ revision: 2, snapshot: true, reset: false });
    expect(server.requests[0]).toMatchObject({ auth: 'Bearer tok-1', lastEventId: undefined });
    await until('connected', () => client.connected);

    server.change('c', 'create', rec('pc-c'));
    server.change('a', 'update', rec('pc-a', '10.0.0.9'));
    server.change('b', 'delete', rec('pc-b'));
    await until('revision 5', () => client.revision === 5);
    const all = calls.slice(1).map((c) => c.meta);
    const flat = (k: keyof SyncMeta) => all.flatMap((m) => m[k]);
    expect([flat('created'), flat('updated'), flat('deleted')]).toEqual([['c'], ['a'], ['b']]);
    expect(calls.at(-1)!.info).toEqual({ revision: 5, snapshot: false, reset: false });
    expect([...client.state]).toEqual([
      ['a', rec('pc-a', '10.0.0.9')],
      ['c', rec('pc-c')],
    ]);
    expect(client.status).toMatchObject({ connected: true, revision: 5, reconnects: 0 });
    expect(client.status.lastEventAt).toBeGreaterThan(0);

    token = 'tok-2'; // read again at every connection
    server.cut();
    await until('reconnect', () => server.requests.length === 2);
    expect(server.requests[1]!.auth).toBe('Bearer tok-2');
  });

  it('reports an update only when a watched field changes; without watch, always (SADM)', async () => {
    const server = await fakeServer();
    server.change('a', 'create', rec('pc-a', '10.0.0.1', ['x']));
    const watched = subscribe(server, { watch: ['ip', 'tags'] });
    const all = subscribe(server);
    watched.client.start();
    all.client.start();
    await Promise.all([watched.client.ready(), all.client.ready()]);
    await until('both streams', () => server.streams === 2);

    server.change('a', 'update', rec('pc-renamed', '10.0.0.1', ['x'])); // unwatched field
    server.change('a', 'update', rec('pc-renamed', '10.0.0.1', ['x'])); // identical
    server.change('a', 'update', rec('pc-renamed', '10.0.0.1', ['x', 'y'])); // watched, deep
    await until('revision 4', () => watched.client.revision === 4 && all.client.revision === 4);
    const updates = (calls: Call[]) => calls.slice(1).flatMap((c) => c.meta.updated);
    expect(updates(watched.calls)).toEqual(['a']);
    expect(watched.calls.at(-1)!.meta).toEqual(meta({ updated: ['a'] }));
    // SADM reports every update without a watch; calls may coalesce events of one chunk
    expect(updates(all.calls).length).toBe(all.calls.length - 1);
    expect(all.calls.length).toBeGreaterThan(1);
  });

  it('resumes with Last-Event-ID after a cut stream and applies only the missed changes', async () => {
    const server = await fakeServer();
    server.change('a', 'create', rec('pc-a'));
    server.change('b', 'create', rec('pc-b'));
    const { client, calls } = subscribe(server);
    client.start();
    await client.ready();
    server.next.push('down', 'down'); // the first two reconnects fail
    server.cut();
    server.change('c', 'create', rec('pc-c'), false);
    server.change('a', 'delete', rec('pc-a'), false);
    await until('missed changes', () => client.revision === 4);
    expect(server.requests.slice(1).map((r) => r.lastEventId)).toEqual(['2', '2', '2']);
    const after = calls.slice(1);
    expect(after.every((c) => !c.info.snapshot)).toBe(true);
    const flat = (k: keyof SyncMeta) => after.flatMap((c) => c.meta[k]);
    expect([flat('created'), flat('updated'), flat('deleted')]).toEqual([['c'], [], ['a']]);
    expect([...client.state.keys()]).toEqual(['b', 'c']);
    expect(client.status.reconnects).toBe(3);
  });

  it('a reset snapshot replaces the state and reports the difference', async () => {
    const server = await fakeServer();
    for (const id of ['gone', 'same', 'changed']) server.change(id, 'create', rec(`pc-${id}`));
    const { client, calls } = subscribe(server);
    client.start();
    await client.ready();
    server.cut();
    server.next.push('down');
    server.change('gone', 'delete', rec('pc-gone'), false);
    server.change('changed', 'update', rec('pc-changed', '10.9.9.9'), false);
    server.change('new', 'create', rec('pc-new'), false);
    server.floor = server.revision; // the log no longer reaches back to revision 3
    await until('reset', () => client.revision === 6);
    const last = calls.at(-1)!;
    expect(last.info).toEqual({ revision: 6, snapshot: true, reset: true });
    expect(last.meta).toEqual(meta({ created: ['new'], updated: ['changed'], deleted: ['gone'] }));
    expect([...client.state.keys()].sort()).toEqual(['changed', 'new', 'same']);
  });

  it('reconnects when a connection goes silent, before or after its headers', async () => {
    const server = await fakeServer();
    server.change('a', 'create', rec('pc-a'));
    server.next.push('mute', 'silent');
    const { client, lines } = subscribe(server, { idleTimeoutMs: 100 });
    client.start();
    await client.ready();
    // ≥: on a loaded machine the timer may also fire once while a snapshot is on its way
    expect(server.requests.length).toBeGreaterThanOrEqual(3);
    expect(server.requests[2]!.at - server.requests[0]!.at).toBeGreaterThanOrEqual(170);
    const idle = lines.filter((l) => /nothing received for 100 ms/.test(l.message));
    expect(idle.length).toBeGreaterThanOrEqual(2);
  });

  it('keep-alive comments keep a quiet stream open', async () => {
    const server = await fakeServer();
    server.change('a', 'create', rec('pc-a'));
    const { client } = subscribe(server, { idleTimeoutMs: 250 });
    client.start();
    await client.ready();
    const timer = setInterval(() => server.broadcast(KEEP_ALIVE), 25);
    cleanup.push(() => clearInterval(timer));
    await sleep(600); // over twice the idle timeout
    expect(server.requests.length).toBe(1);
    expect(client.connected).toBe(true);
  });

  it('backs off exponentially up to the maximum', async () => {
    const server = await fakeServer();
    server.mode = 'error500';
    const { client } = subscribe(server, { backoff: { initialMs: 10, maxMs: 40, jitter: 0 } });
    client.start();
    await until('7 attempts', () => server.requests.length >= 7);
    const at = server.requests.map((r) => r.at);
    const gaps = at.slice(1, 7).map((t, i) => t - at[i]!);
    [10, 20, 40, 40, 40, 40].forEach((want, i) => {
      expect(gaps[i]).toBeGreaterThanOrEqual(want - 2);
    });
    // capped: 3 × 40 ms plus scheduling slack; uncapped would be 80 + 160 + 320 ms
    expect(gaps[3]! + gaps[4]! + gaps[5]!).toBeLessThan(300);
  });

  it('starts the back-off over after a connection that delivered data', async () => {
    const server = await fakeServer();
    server.change('a', 'create', rec('pc-a'));
    server.next.push('error500', 'error500', 'error500', 'error500', 'error500');
    const { client } = subscribe(server, { backoff: { initialMs: 10, maxMs: 1000, jitter: 0 } });
    client.start();
    await client.ready(); // after waits of 10, 20, 40, 80, 160 ms
    expect(server.requests.length).toBe(6);
    await until('connected', () => client.connected);
    const cutAt = performance.now();
    server.cut();
    await until('reconnect', () => server.requests.length === 7);
    expect(server.requests[6]!.at - cutAt).toBeLessThan(200); // about 10 ms, not 320
  });

  it('logs refusals with the server message and retries them at the maximum back-off', async () => {
    const server = await fakeServer();
    server.mode = 'unauthorized';
    const { client, lines } = subscribe(server, {
      backoff: { initialMs: 1, maxMs: 100, jitter: 0 },
    });
    client.start();
    await sleep(250);
    expect(server.requests.length).toBeGreaterThanOrEqual(2);
    expect(server.requests.length).toBeLessThanOrEqual(3);
    const refusal = lines.find((l) => l.level === 'error' && /HTTP 401/.test(l.message));
    expect(refusal?.message).toContain('unauthorized: token expired');

    const other = subscribe(server, { table: 'nope' });
    other.client.start();
    await until('404 logged', () =>
      other.lines.some((l) => /HTTP 404 \(not_found: no stream/.test(l.message)),
    );
    server.mode = 'ok'; // an operator fixed the token
    await client.ready();
  });

  it('reconnects after a protocol error and resumes from the last applied revision', async () => {
    const server = await fakeServer();
    server.change('a', 'create', rec('pc-a'));
    const { client, lines } = subscribe(server);
    client.start();
    await client.ready();
    server.broadcast('event: change\ndata: {not json\n\n');
    await until('reconnect', () => server.requests.length === 2);
    expect(server.requests[1]!.lastEventId).toBe('1');
    expect(
      lines.some((l) => /protocol error: event change: data is not JSON/.test(l.message)),
    ).toBe(true);
  });

  it('an onUpdate failure is logged and the stream goes on', async () => {
    const server = await fakeServer();
    server.change('a', 'create', rec('pc-a'));
    const seen: number[] = [];
    const { client, lines } = subscribe(server, {
      onUpdate: async (_state, _meta, info) => {
        seen.push(info.revision);
        if (seen.length === 1) throw new Error('consumer broke');
      },
    });
    client.start();
    await client.ready();
    await until('connected', () => client.connected);
    server.change('b', 'create', rec('pc-b'));
    await until('revision 2', () => seen.includes(2));
    expect(lines.some((l) => l.level === 'error' && /onUpdate failed/.test(l.message))).toBe(true);
    expect(server.requests.length).toBe(1);
  });

  it('keeps its state in stateFile, serves it while upstream is down, then resumes from it', async () => {
    const server = await fakeServer();
    const stateFile = join(tempDir(), 't.state.json');
    server.change('a', 'create', rec('pc-a'));
    const first = subscribe(server, { stateFile });
    first.client.start();
    await first.client.ready();
    await until('connected', () => first.client.connected);
    server.change('b', 'create', rec('pc-b'));
    const onDisk = () => JSON.parse(readFileSync(stateFile, 'utf8')) as { revision: number };
    await until('file written while running', () => {
      try {
        return onDisk().revision === 2;
      } catch {
        return false;
      }
    });
    await first.client.stop();
    expect(onDisk()).toEqual({
      table: 't',
      revision: 2,
      items: [
        ['a', rec('pc-a')],
        ['b', rec('pc-b')],
      ],
    });

    server.mode = 'down';
    server.change('c', 'create', rec('pc-c'), false);
    const second = subscribe(server, { stateFile });
    second.client.start();
    await second.client.ready();
    expect(second.calls[0]!.info).toEqual({ revision: 2, snapshot: true, reset: false });
    expect(second.calls[0]!.meta).toEqual(meta({ created: ['a', 'b'] }));
    await until('a failed attempt', () => server.requests.length >= 3);
    server.mode = 'ok';
    await until('resumed', () => second.client.revision === 3);
    expect(server.requests.slice(2).every((r) => r.lastEventId === '2')).toBe(true);
    expect(second.calls.slice(1).map((c) => c.meta)).toEqual([meta({ created: ['c'] })]);
    await second.client.stop();
    expect(onDisk().revision).toBe(3);
  });

  it('ignores a corrupt or foreign state file and starts from a fresh snapshot', async () => {
    const server = await fakeServer();
    server.change('a', 'create', rec('pc-a'));
    const dir = tempDir();
    const files = {
      corrupt: '{"table":"t","revision":',
      foreign: '{"table":"users","revision":9,"items":[]}',
    };
    for (const [name, text] of Object.entries(files)) {
      const stateFile = join(dir, name);
      writeFileSync(stateFile, text);
      const { client, calls, lines } = subscribe(server, { stateFile });
      const before = server.requests.length;
      client.start();
      await client.ready();
      expect(lines.some((l) => l.level === 'warn' && /state file .* ignored/.test(l.message))).toBe(
        true,
      );
      expect(server.requests[before]!.lastEventId).toBeUndefined();
      expect(calls).toHaveLength(1);
      expect(calls[0]!.meta).toEqual(meta({ created: ['a'] }));
      await client.stop();
      expect(JSON.parse(readFileSync(stateFile, 'utf8')).revision).toBe(1);
    }
  });

  it('stop() closes the stream and stops reconnecting', async () => {
    const server = await fakeServer();
    server.change('a', 'create', rec('pc-a'));
    const { client } = subscribe(server, { backoff: { initialMs: 1, maxMs: 2 } });
    client.start();
    await client.ready();
    await until('connected', () => server.streams === 1);
    await client.stop();
    expect(client.connected).toBe(false);
    await until('stream closed', () => server.streams === 0);
    server.cut();
    await sleep(50);
    expect(server.requests.length).toBe(1);

    server.mode = 'down'; // a client stopped while retrying stops too, and never became ready
    const retrying = subscribe(server, { stateFile: join(tempDir(), 'none.json') });
    retrying.client.start();
    await until('a few attempts', () => server.requests.length >= 3);
    const ready = retrying.client.ready();
    await retrying.client.stop();
    await expect(ready).rejects.toThrow(/stopped before any state/);
    const count = server.requests.length;
    await sleep(50);
    expect(server.requests.length).toBe(count);
  });

  it('hands the raw events of each batch to onEvents before onUpdate, the state file as a snapshot', async () => {
    const server = await fakeServer();
    const stateFile = join(tempDir(), 't.state.json');
    server.change('a', 'create', rec('pc-a'));
    const order: string[] = [];
    const raw: StreamEvent[] = [];
    const onEvents = (events: StreamEvent[]) => {
      order.push(`events ${events.map((e) => `${e.type}@${e.data.revision}`).join(',')}`);
      raw.push(...events);
    };
    const onUpdate = (_s: unknown, _m: unknown, info: SyncUpdateInfo) => {
      order.push(`update @${info.revision}`);
    };
    const first = subscribe(server, { stateFile, onEvents, onUpdate });
    first.client.start();
    await first.client.ready();
    await until('connected', () => first.client.connected);
    server.change('b', 'create', rec('pc-b'));
    server.change('a', 'delete', rec('pc-a'));
    await until('revision 3', () => first.client.revision === 3);
    expect(order.join(' | ')).toMatch(/^events snapshot@1 \| update @1 \| events change@2/);
    expect(raw[0]).toEqual({
      type: 'snapshot',
      data: { revision: 1, table: 't', reset: false, items: [{ id: 'a', record: rec('pc-a') }] },
    });
    expect(raw.slice(1).map((e) => e.type === 'change' && [e.data.id, e.data.op])).toEqual([
      ['b', 'create'],
      ['a', 'delete'],
    ]);
    await first.client.stop();

    server.mode = 'down';
    order.length = 0;
    raw.length = 0;
    const second = subscribe(server, { stateFile, onEvents, onUpdate });
    second.client.start();
    await second.client.ready();
    expect(order).toEqual(['events snapshot@3', 'update @3']);
    expect(raw).toEqual([
      {
        type: 'snapshot',
        data: { revision: 3, table: 't', reset: false, items: [{ id: 'b', record: rec('pc-b') }] },
      },
    ]);
  });

  it('validates its options at construction', () => {
    const base = { baseUrl: 'http://127.0.0.1:1', table: 't', onUpdate: () => {} };
    expect(() => createSyncClient({ ...base, baseUrl: 'nope' })).toThrow(/baseUrl/);
    expect(() => createSyncClient({ ...base, table: '' })).toThrow(/table/);
    expect(() => createSyncClient({ ...base, backoff: { initialMs: 10, maxMs: 5 } })).toThrow(
      /backoff.maxMs/,
    );
    expect(() => createSyncClient({ ...base, idleTimeoutMs: 0 })).toThrow(/idleTimeoutMs/);
    expect(() => createSyncClient({ ...base, onEvents: 1 as never })).toThrow(/onEvents/);
  });
});
