import {
  createHttpApp,
  createLogger,
  createMetricsRegistry,
  type Listening,
  listen,
  validateConfig,
} from '@lanctl/core';
import type { Group, Machine, Room } from '@lanctl/model';
import { machineRecord, waitFor } from '@lanctl/testkit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  createProcessPinger,
  createUsermap,
  type Pinger,
  type PingResult,
  type UsermapModel,
  type UsermapSource,
  usermapConfigSchema,
} from '../../services/sso/src/usermap/index.ts';

type Model = UsermapModel & { ready: boolean };

/** The tables as the sso service would hold them, changed by the test. */
class FakeSource implements UsermapSource {
  machineList: Machine[] = [];
  roomList: Room[] = [];
  sessionMap = new Map<string, string>();
  groups = new Map<string, Group>();
  isReady = true;
  private listeners = new Set<() => void>();
  ready = () => this.isReady;
  machines = () => this.machineList;
  rooms = () => this.roomList;
  sessions = () => this.sessionMap;
  groupOf = (login: string) => this.groups.get(login);
  onChange(listener: () => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  changed() {
    for (const l of this.listeners) l();
  }
}

/** Answers from a table by IP; counts calls. */
class FakePinger implements Pinger {
  answers = new Map<string, PingResult>();
  calls = 0;
  async ping(ip: string) {
    this.calls++;
    return this.answers.get(ip) ?? 'up';
  }
}

interface Running {
  url: string;
  source: FakeSource;
  stop(): Promise<void>;
  metrics: () => Promise<string>;
}

const running: Running[] = [];

async function startUsermap(
  config: unknown,
  pinger: Pinger | undefined = new FakePinger(),
  setup: (source: FakeSource) => void = () => {},
): Promise<Running> {
  const source = new FakeSource();
  source.roomList = [
    {
      name: 'pasteur',
      description: 'ground floor',
      hostname_pattern: 'pas-r{row}p{seat}',
      seats_per_row: 2,
    },
  ];
  source.machineList = [
    machineRecord({ hostname: 'pas-r1p1', ip: '10.0.0.1', room: 'pasteur' }),
    machineRecord({ hostname: 'pas-r1p2', ip: '10.0.0.2', room: 'pasteur' }),
    machineRecord({
      hostname: 'pas-r2p1',
      ip: '10.0.0.3',
      room: 'pasteur',
      is_faulty: true,
      is_faulty_details: 'no keyboard',
    }),
    machineRecord({ hostname: 'gw', ip: '10.0.0.254', room: 'servers' }),
  ];
  source.sessionMap.set('pas-r1p1', 'alice');
  source.groups.set('alice', 'user');
  setup(source);
  const logger = createLogger('sso', { silent: true });
  const metrics = createMetricsRegistry();
  const usermap = createUsermap({
    config: validateConfig('sso', usermapConfigSchema, config),
    source,
    logger,
    metrics,
    pinger,
  });
  const app = createHttpApp({
    service: 'sso',
    logger,
    metrics,
    mount: (a) => a.use('/usermap', usermap.router),
  });
  const http: Listening = await listen(app, '127.0.0.1', 0);
  usermap.start();
  const r: Running = {
    url: `${http.url}/usermap`,
    source,
    metrics: async () => (await fetch(`${http.url}/metrics`)).text(),
    async stop() {
      await usermap.stop();
      await http.close();
    },
  };
  running.push(r);
  return r;
}

/** Follows /events, collecting each model (the page's EventSource, in a test). */
async function follow(url: string) {
  const controller = new AbortController();
  const res = await fetch(`${url}/events`, { signal: controller.signal });
  const models: Model[] = [];
  const result = {
    status: res.status,
    headers: res.headers,
    models,
    ended: false,
    stop: () => controller.abort(),
  };
  let text = '';
  if (res.status === 200 && res.body) {
    void (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          text += decoder.decode(chunk, { stream: true });
          let end = text.indexOf('\n\n');
          while (end !== -1) {
            const data = text
              .slice(0, end)
              .split('\n')
              .filter((l) => l.startsWith('data: '))
              .map((l) => l.slice(6));
            if (data.length) models.push(JSON.parse(data.join('\n')) as Model);
            text = text.slice(end + 2);
            end = text.indexOf('\n\n');
          }
        }
      } catch {
        // aborted
      }
      result.ended = true;
    })();
  } else {
    await res.arrayBuffer();
  }
  return result;
}

async function until<T>(get: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 400; i++) {
    const value = await get();
    if (ok(value)) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const state = async (url: string) => (await (await fetch(`${url}/state.json`)).json()) as Model;
const seats = (m: Model) =>
  Object.fromEntries(m.rooms.flatMap((r) => r.seats.map((s) => [s.hostname, s.state])));

afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
});
afterAll(async () => {
  for (const r of running.splice(0)) await r.stop();
});

describe('usermap', () => {
  it('serves the model: rooms, seats laid out by row and seat, states, "other" block', async () => {
    const { url } = await startUsermap({ ping: { enabled: false } });
    const model = await state(url);
    expect(model.ready).toBe(true);
    expect(model.totals).toEqual({ taken: 1, free: 2, faulty: 1, unreachable: 0 });
    expect(model.rooms).toEqual([
      {
        name: 'pasteur',
        description: 'ground floor',
        columns: 2,
        seats: [
          {
            hostname: 'pas-r1p1',
            state: 'taken',
            login: 'alice',
            group: 'user',
            row: 1,
            column: 1,
          },
          { hostname: 'pas-r1p2', state: 'free', row: 1, column: 2 },
          {
            hostname: 'pas-r2p1',
            state: 'faulty',
            faulty_reason: 'no keyboard',
            row: 2,
            column: 1,
          },
        ],
      },
      {
        name: 'other',
        description: 'machines in no known room',
        columns: 0,
        seats: [{ hostname: 'gw', state: 'free' }],
      },
    ]);
  });

  it('serves the page under a relative URL, with a strict CSP and escaped text', async () => {
    const { url, source } = await startUsermap({ ping: { enabled: false }, title: 'Finale <b>' });
    source.sessionMap.set('pas-r1p2', '<script>alert(1)</script>');
    source.changed();
    const bare = await fetch(url, { redirect: 'manual' });
    expect(bare.status).toBe(200);
    const page = await fetch(`${url}/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('<title>Finale &lt;b&gt;</title>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('>pas-r2p1<');
    expect(html).toContain('new EventSource(events)');
  });

  it('streams the model on connect and after a change, coalescing bursts', async () => {
    const { url, source } = await startUsermap({ ping: { enabled: false } });
    const stream = await follow(url);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await waitFor(() => stream.models.length === 1, 'the first model');
    expect(seats(stream.models[0] as Model)['pas-r1p2']).toBe('free');
    for (let i = 0; i < 50; i++) {
      source.sessionMap.set('pas-r1p2', `user${i}`);
      source.changed();
    }
    await waitFor(() => stream.models.at(-1)?.rooms[0]?.seats[1]?.login === 'user49', 'the update');
    expect(stream.models.length).toBeLessThanOrEqual(3);
    source.sessionMap.delete('pas-r1p1');
    source.isReady = false;
    source.changed();
    await waitFor(() => stream.models.at(-1)?.ready === false, 'the next update');
    expect(seats(stream.models.at(-1) as Model)['pas-r1p1']).toBe('free');
    stream.stop();
  });

  it('caps the streams, with a gauge and a counter', async () => {
    const { url, metrics } = await startUsermap({ ping: { enabled: false }, max_clients: 2 });
    const a = await follow(url);
    const b = await follow(url);
    const c = await follow(url);
    expect([a.status, b.status, c.status]).toEqual([200, 200, 503]);
    expect(c.headers.get('retry-after')).toBe('10');
    const text = await metrics();
    expect(text).toMatch(/^lanctl_sso_usermap_clients 2$/m);
    expect(text).toMatch(/^lanctl_sso_usermap_clients_refused_total 1$/m);
    a.stop();
    await until(metrics, (t) => /^lanctl_sso_usermap_clients 1$/m.test(t), 'a client gone');
    const d = await follow(url);
    expect(d.status).toBe(200);
    b.stop();
    d.stop();
  });

  it('shows a machine unreachable after two lost pings, and reachable again after one reply', async () => {
    const pinger = new FakePinger();
    pinger.answers.set('10.0.0.2', 'down');
    pinger.answers.set('10.0.0.1', 'down');
    const { url, metrics } = await startUsermap({ ping: { interval_seconds: 1 } }, pinger);
    let model = await until(
      () => state(url),
      (m) => seats(m)['pas-r1p2'] === 'unreachable',
      'pas-r1p2 unreachable',
    );
    // Taken beats unreachable; the faulty seat stays faulty.
    expect(seats(model)).toEqual({
      'pas-r1p1': 'taken',
      'pas-r1p2': 'unreachable',
      'pas-r2p1': 'faulty',
      gw: 'free',
    });
    expect(pinger.calls).toBeGreaterThanOrEqual(8);
    expect(await metrics()).toMatch(/^lanctl_sso_usermap_pings_total\{result="down"\} [1-9]/m);
    pinger.answers.set('10.0.0.2', 'up');
    model = await until(
      () => state(url),
      (m) => seats(m)['pas-r1p2'] === 'free',
      'pas-r1p2 back',
    );
    expect(seats(model)['pas-r1p2']).toBe('free');
  });

  it('never pings, nor shows anything unreachable, with ping disabled', async () => {
    const pinger = new FakePinger();
    pinger.answers.set('10.0.0.2', 'down');
    const { url } = await startUsermap({ ping: { enabled: false, interval_seconds: 1 } }, pinger);
    // A twin with pinging on, same interval: once it has pinged two rounds, the disabled one had its
    // chances too.
    const twin = new FakePinger();
    await startUsermap({ ping: { enabled: true, interval_seconds: 1 } }, twin);
    await until(
      async () => twin.calls,
      (n) => n >= 8, // two rounds of its four machines
      'the twin to ping twice',
    );
    expect(pinger.calls).toBe(0);
    expect((await state(url)).totals.unreachable).toBe(0);
  });

  it('the default pinger (real ping) reaches 127.0.0.1: never anything outside loopback', async () => {
    const pinger = createProcessPinger();
    expect(await pinger.ping('127.0.0.1', 1, new AbortController().signal)).toBe('up');
    const { url, metrics } = await startUsermap(
      { ping: { interval_seconds: 1, timeout_seconds: 1 } },
      undefined,
      (source) => {
        source.machineList = source.machineList.map((m) => ({ ...m, ip: '127.0.0.1' }));
      },
    );
    await until(
      metrics,
      (t) => /^lanctl_sso_usermap_pings_total\{result="up"\} [1-9]/m.test(t),
      'pings',
    );
    expect(await metrics()).toMatch(/^lanctl_sso_usermap_pings_total\{result="error"\} 0$/m);
    expect((await state(url)).totals.unreachable).toBe(0);
  });

  it('ends the streams on stop()', async () => {
    const r = await startUsermap({ ping: { enabled: false } });
    const stream = await follow(r.url);
    await waitFor(() => stream.models.length === 1, 'the first model');
    await r.stop();
    running.splice(running.indexOf(r), 1);
    await waitFor(() => stream.ended, 'the end of the stream');
  });
});
