import { connect } from 'node:net';
import { generateTimeauthToken } from '@lanctl/auth';
import {
  AppError,
  createLogger,
  createMetricsRegistry,
  type Listening,
  listen,
  type Registry,
} from '@lanctl/core';
import express from 'express';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Hub } from './hub.ts';
import {
  decodeSadmMessage,
  encodeSadmMessage,
  type SadmItem,
  type SadmPollOptions,
  type SadmPollServer,
  type SadmTable,
  sadmItemsForChange,
  sadmPollRouter,
} from './sadm-poll.ts';
import { sadmPublish, startSadmPollClient } from './testing/sadm-client.ts';
import type { ChangeEvent } from './wire.ts';

interface Thing {
  name: string;
  mac: string;
  note?: string;
}

const THINGS: SadmTable<Thing> = {
  table: 'things',
  key: (t) => t.mac,
  toSadm: (t) => ({ mac: t.mac, name: t.name }),
};

const change = (revision: number, id: string, op: ChangeEvent['op'], record: Thing) => ({
  revision,
  table: 'things',
  id,
  op,
  record,
});

const tick = () => new Promise((resolve) => setImmediate(resolve));

const waitFor = async (check: () => boolean, what: string, ms = 5000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('SADM sync messages', () => {
  it('encodes one JSON line per message', () => {
    const items: SadmItem[] = [{ type: 'update', data: { mac: 'a' } }];
    expect(encodeSadmMessage(items)).toBe('[{"type":"update","data":{"mac":"a"}}]\n');
    expect(encodeSadmMessage([])).toBe('[]\n');
  });

  it('decodes published arrays and says what is wrong with anything else', () => {
    expect(decodeSadmMessage('[{"type":"delete","data":{"login":"x"}}]')).toEqual({
      ok: true,
      items: [{ type: 'delete', data: { login: 'x' } }],
    });
    expect(decodeSadmMessage('{')).toEqual({ ok: false, reason: 'data is not JSON' });
    expect(decodeSadmMessage('{}')).toMatchObject({ ok: false, reason: /array/ });
    expect(decodeSadmMessage('[1]')).toMatchObject({ ok: false, reason: /item 0/ });
    expect(decodeSadmMessage('[{"type":"upsert","data":{}}]')).toMatchObject({
      ok: false,
      reason: /item 0: type/,
    });
    expect(decodeSadmMessage('[{"type":"update","data":[]}]')).toMatchObject({
      ok: false,
      reason: /item 0: data/,
    });
  });

  it('never throws on any input, and decodes what it encodes', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(typeof decodeSadmMessage(text).ok).toBe('boolean');
      }),
    );
    const item = fc.record({
      type: fc.constantFrom('update' as const, 'delete' as const),
      data: fc.dictionary(fc.string(), fc.jsonValue()),
    });
    fc.assert(
      fc.property(fc.array(item), (items) => {
        const decoded = decodeSadmMessage(encodeSadmMessage(items));
        expect(decoded).toEqual({ ok: true, items: JSON.parse(JSON.stringify(items)) });
      }),
    );
  });

  it('turns hub changes into SADM items; a key change is a delete of the old key, then an update', () => {
    const a = { name: 'a', mac: 'm1' };
    expect(sadmItemsForChange(THINGS, change(1, 'i', 'create', a), undefined)).toEqual([
      { type: 'update', data: { mac: 'm1', name: 'a' } },
    ]);
    expect(sadmItemsForChange(THINGS, change(2, 'i', 'update', { ...a, name: 'b' }), a)).toEqual([
      { type: 'update', data: { mac: 'm1', name: 'b' } },
    ]);
    expect(sadmItemsForChange(THINGS, change(3, 'i', 'update', { ...a, mac: 'm2' }), a)).toEqual([
      { type: 'delete', data: { mac: 'm1', name: 'a' } },
      { type: 'update', data: { mac: 'm2', name: 'a' } },
    ]);
    expect(sadmItemsForChange(THINGS, change(4, 'i', 'delete', a), a)).toEqual([
      { type: 'delete', data: { mac: 'm1', name: 'a' } },
    ]);
  });
});

describe('sadmPollRouter', () => {
  const SUB = 'sub-secret';
  const PUB = 'pub-secret';
  let hub: Hub;
  let server: SadmPollServer;
  let listening: Listening;
  let metrics: Registry;
  let published: SadmItem[][];
  let stops: (() => void)[];

  async function start(overrides: Partial<SadmPollOptions> = {}) {
    const logger = createLogger('test', { silent: true });
    hub = new Hub({ tables: ['things', 'other'], logger });
    hub.reset(10, { things: [{ id: 'i1', record: { name: 'a', mac: 'm1' } }] });
    metrics = createMetricsRegistry();
    published = [];
    server = sadmPollRouter({
      hub,
      tables: [THINGS],
      subSecret: Buffer.from(SUB),
      pubSecret: Buffer.from(PUB),
      onUpdate: async (items) => {
        if (items.some((i) => i.data.mac === 'bad')) throw new AppError(422, 'x', 'item 0: bad');
        published.push(items);
      },
      logger,
      metrics,
      service: 'test',
      ...overrides,
    });
    const app = express();
    app.use(server.router);
    listening = await listen(app, '127.0.0.1', 0);
  }

  const poll = (query: string) => fetch(`${listening.url}/poll${query}`);
  const token = (secret: string, message: unknown = null, now = Date.now()) =>
    encodeURIComponent(generateTimeauthToken(secret, message, now));
  const client = () => {
    const c = startSadmPollClient(listening.url, 'mac', SUB);
    stops.push(c.stop);
    return c;
  };

  beforeEach(() => {
    stops = [];
  });
  afterEach(async () => {
    for (const stop of stops) stop();
    server.closeAll();
    await listening.close(100);
  });

  it('refuses missing arguments with 400, and bad, expired or unverifiable tokens with 403', async () => {
    await start();
    expect((await poll('')).status).toBe(400);
    expect((await poll('?data=%7B%7D')).status).toBe(400);
    expect((await poll(`?hmac=${token(SUB)}`)).status).toBe(400);
    for (const bad of [token('wrong'), token(SUB, null, Date.now() - 200_000), 'nope']) {
      const res = await poll(`?data=%7B%7D&hmac=${bad}`);
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await res.text()).toBe('Invalid token');
    }
    // The token signs "None", not the data.
    expect((await poll(`?data=%7B%7D&hmac=${token(SUB, '{}')}`)).status).toBe(403);
    expect(await metrics.getSingleMetricAsString('lanctl_test_sadm_sync_refused_total')).toMatch(
      /endpoint="poll",status="403"} 4/,
    );
  });

  it('refuses every subscriber when no secret is configured', async () => {
    await start({ subSecret: null });
    const res = await poll(`?data=%7B%7D&hmac=${token(SUB)}`);
    expect([res.status, await res.text()]).toEqual([403, 'Invalid token']);
  });

  it('serves SADM’s blocking client: the backlog, then each batch as one line', async () => {
    await start();
    const c = client();
    await waitFor(() => c.messages.length === 1, 'the backlog');
    expect(c.messages[0]!.state).toEqual({ m1: { mac: 'm1', name: 'a' } });
    expect(c.messages[0]!.meta).toEqual({ m1: 'created' });
    hub.apply([
      change(11, 'i2', 'create', { name: 'b', mac: 'm2' }),
      change(12, 'i1', 'update', { name: 'a', mac: 'm3' }),
    ]);
    await tick();
    hub.apply([{ ...change(13, 'x', 'create', { name: 'z', mac: 'z' }), table: 'other' }]);
    await tick();
    hub.apply([change(14, 'i2', 'delete', { name: 'b', mac: 'm2' })]);
    await waitFor(() => c.messages.length === 3, 'two more messages');
    expect(JSON.parse(c.messages[1]!.raw)).toEqual([
      { type: 'update', data: { mac: 'm2', name: 'b' } },
      { type: 'delete', data: { mac: 'm1', name: 'a' } },
      { type: 'update', data: { mac: 'm3', name: 'a' } },
    ]);
    expect(c.messages[1]!.meta).toEqual({ m1: 'deleted', m2: 'created', m3: 'created' });
    expect(c.messages[2]!.meta).toEqual({ m2: 'deleted' });
    expect(c.messages[2]!.state).toEqual({ m3: { mac: 'm3', name: 'a' } });
    expect(c.events).toEqual([]);
  });

  it('keeps an idle stream alive with a lone space: no extra message, no reconnect', async () => {
    await start({ keepAliveMs: 30 });
    const c = client();
    await waitFor(() => c.messages.length === 1, 'the backlog');
    await new Promise((r) => setTimeout(r, 300));
    expect(c.messages).toHaveLength(1);
    hub.apply([change(11, 'i2', 'create', { name: 'b', mac: 'm2' })]);
    await waitFor(() => c.messages.length === 2, 'the change');
    expect(c.messages[1]!.raw).toMatch(/^ {3,}\[/);
    expect(c.events).toEqual([]);
  });

  it('ends streams on a hub reset and on closeAll, so the client reconnects to a fresh backlog', async () => {
    await start();
    const c = client();
    await waitFor(() => c.messages.length === 1, 'the backlog');
    hub.reset(20, { things: [{ id: 'i9', record: { name: 'n', mac: 'm9' } }] });
    await waitFor(() => c.events.includes('reconnect') && c.messages.length === 1, 'a reconnect');
    expect(c.messages[0]!.state).toEqual({ m9: { mac: 'm9', name: 'n' } });
    server.closeAll();
    await waitFor(() => c.events.length === 2 && c.messages.length === 1, 'a second reconnect');
    expect(await metrics.getSingleMetricAsString('lanctl_test_sadm_sync_subscribers')).toMatch(
      /subscribers 1/,
    );
  });

  it('cuts off a subscriber that stops reading, with the bound on its queue', async () => {
    await start({ maxBufferBytes: 10_000 });
    const socket = connect(listening.port, '127.0.0.1');
    socket.write(`GET /poll?data=%7B%7D&hmac=${token(SUB)} HTTP/1.1\r\nHost: x\r\n\r\n`);
    socket.pause();
    let closed = false;
    socket.on('close', () => {
      closed = true;
    });
    await waitFor(() => hub.subscriberCount() === 1, 'the subscriber');
    const big = 'x'.repeat(100_000);
    for (let r = 11; r < 400 && hub.subscriberCount() > 0; r++) {
      hub.apply([change(r, 'i1', 'update', { name: `${big}${r}`, mac: 'm1' })]);
      await tick();
    }
    expect(hub.subscriberCount()).toBe(0);
    socket.resume();
    await waitFor(() => closed, 'the connection to close');
    expect(
      await metrics.getSingleMetricAsString('lanctl_test_sadm_sync_subscribers_cut_off_total'),
    ).toMatch(/_total 1/);
  });

  it('POST /update: a Python-signed batch reaches onUpdate; anything else is refused', async () => {
    await start();
    const data = JSON.stringify([{ type: 'update', data: { mac: 'm5', name: 'e' } }]);
    expect(await sadmPublish(listening.url, PUB, data)).toEqual({ status: 200, body: '' });
    expect(published).toEqual([[{ type: 'update', data: { mac: 'm5', name: 'e' } }]]);
    expect(await sadmPublish(listening.url, 'wrong', data)).toEqual({
      status: 403,
      body: 'Invalid token',
    });
    expect(await sadmPublish(listening.url, SUB, data)).toMatchObject({ status: 403 });
    expect(await sadmPublish(listening.url, PUB, '{"not": "a list"}')).toMatchObject({
      status: 400,
    });
    const bad = JSON.stringify([{ type: 'update', data: { mac: 'bad' } }]);
    expect(await sadmPublish(listening.url, PUB, bad)).toEqual({
      status: 422,
      body: 'item 0: bad',
    });
    const post = (body: string, type = 'application/x-www-form-urlencoded') =>
      fetch(`${listening.url}/update`, { method: 'POST', headers: { 'content-type': type }, body });
    expect((await post(`data=${encodeURIComponent(data)}`)).status).toBe(400);
    expect((await post(`hmac=${token(PUB, data)}`)).status).toBe(400);
    expect((await post('{}', 'application/json')).status).toBe(400);
    expect((await post(`data=${encodeURIComponent(data)}&hmac=${token(PUB, data)}`)).status).toBe(
      200,
    );
    expect(published).toHaveLength(2);
  });

  it('POST /update answers 403 without a publisher secret or an onUpdate', async () => {
    await start({ pubSecret: null });
    const data = '[]';
    expect(await sadmPublish(listening.url, PUB, data)).toEqual({
      status: 403,
      body: 'Invalid token',
    });
    server.closeAll();
    await listening.close(100);
    await start({ onUpdate: undefined });
    expect(await sadmPublish(listening.url, PUB, data)).toMatchObject({ status: 403 });
  });

  it('fails fast on a table the hub does not serve', () => {
    const logger = createLogger('test', { silent: true });
    expect(() =>
      sadmPollRouter({
        hub: new Hub({ tables: ['things'], logger }),
        tables: [{ ...THINGS, table: 'nope' }],
        subSecret: null,
        logger,
        metrics: createMetricsRegistry(),
        service: 'test',
      }),
    ).toThrow(/no table "nope"/);
  });
});
