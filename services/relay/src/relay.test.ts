/**
 * owner (a real mdb) → relay → subscribers (the real sync client), over loopback sockets: every
 * write reaches every subscriber; the relay serves on while mdb is down and resumes it without a
 * snapshot; a restarted relay serves its saved state and its subscribers resume from it.
 * SQLite only: the relay never touches a database, and mdb's streams run on both engines in
 * services/mdb/src/streams.test.ts.
 */
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createLogger, createMetricsRegistry, validateConfig } from '@lanctl/core';
import { createSyncClient, type SnapshotEvent, type SyncClient } from '@lanctl/sync';
import {
  createTestKeys,
  freshDatabaseUrl,
  openStream,
  type TempDir,
  type TestKeys,
  tempDir,
  waitFor,
} from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, type RelayService, relayConfigSchema } from './index.ts';
import { sortByHostname, startMdbOn, type TestMdb } from './testing/mdb.ts';

const SUBSCRIBERS = 5;
const FAST = { initialMs: 20, maxMs: 200 };

interface Downstream {
  client: SyncClient<unknown>;
  /** Snapshot events received, the first one included. */
  snapshots: SnapshotEvent[];
  resets: number;
}

interface Relay {
  service: RelayService;
  url: string;
  port: number;
}

let dir: TempDir;
let keys: TestKeys;
let database: { url: string; cleanup(): Promise<void> };
let mdb: TestMdb;
let relay: Relay;
const downstream: Downstream[] = [];
const cleanups: (() => Promise<unknown>)[] = [];

async function startRelay(port: number, upstream: string, stateDir: string): Promise<Relay> {
  const config = validateConfig('test', relayConfigSchema, {
    listen: { port },
    upstream,
    tables: ['machines', 'switches'],
    auth: { public_key_file: keys.files.publicKeyFile },
    state_dir: stateDir,
  });
  const service = create(config, {
    logger: createLogger('relay', { silent: true }),
    metrics: createMetricsRegistry(),
    publicKey: keys.publicKey,
    token: () => keys.token('reader'),
    backoff: FAST,
  });
  const listening = await service.start();
  cleanups.push(() => service.stop());
  return { service, url: listening.url, port: listening.port };
}

function subscribe(url: string, table = 'machines'): Downstream {
  const d: Downstream = { client: undefined as never, snapshots: [], resets: 0 };
  d.client = createSyncClient<unknown>({
    baseUrl: url,
    table,
    token: keys.token('reader'),
    backoff: FAST,
    logger: createLogger('subscriber', { silent: true }),
    onEvents: (events) => {
      for (const e of events) if (e.type === 'snapshot') d.snapshots.push(e.data);
    },
    onUpdate: (_state, _meta, info) => {
      if (info.reset) d.resets++;
    },
  });
  d.client.start();
  cleanups.push(() => d.client.stop());
  return d;
}

const stateOf = (d: Downstream) => sortByHostname(d.client.state.values());
const machinesStatus = (r: Relay = relay) => r.service.status().tables.machines!;

/** Until every subscriber holds exactly the machines the database holds. */
async function untilInStep(what: string): Promise<unknown[]> {
  const expected = await mdb.machines();
  const same = (d: Downstream) => JSON.stringify(stateOf(d)) === JSON.stringify(expected);
  await waitFor(() => downstream.every(same), `every subscriber in step (${what})`, 15_000);
  return expected;
}

async function write(method: string, path: string, body?: unknown): Promise<void> {
  const reply = await mdb.call(method, path, body);
  if (reply.status >= 300) throw new Error(`${method} ${path}: ${reply.status}`);
}

beforeAll(async () => {
  dir = await tempDir('lanctl-relay-');
  keys = createTestKeys(dir.path);
  database = await freshDatabaseUrl('sqlite');
  mdb = await startMdbOn(database.url, keys);
});

afterAll(async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => undefined);
  await mdb?.stop().catch(() => undefined);
  await database?.cleanup();
  await dir?.cleanup();
});

describe('relay', () => {
  it('passes every write through the mdb API to every subscriber', async () => {
    await write('POST', '/api/v1/machines', { hostname: 'a1', mac: '52:54:00:00:00:01' });
    relay = await startRelay(0, mdb.syncUrl, join(dir.path, 'state'));
    for (let i = 0; i < SUBSCRIBERS; i++) downstream.push(subscribe(relay.url));
    const switches = subscribe(relay.url, 'switches');
    await Promise.all(downstream.map((d) => d.client.ready()));
    await write('POST', '/api/v1/machines', { hostname: 'a2', mac: '52:54:00:00:00:02' });
    await write('POST', '/api/v1/machines', { hostname: 'a3', mac: '52:54:00:00:00:03' });
    await write('PATCH', '/api/v1/machines/a2', { mac: '52:54:00:00:00:12' });
    await write('DELETE', '/api/v1/machines/a1');
    await write('POST', '/api/v1/switches', { name: 'sw1', chassis: '00:11:22:33:44:55' });
    const held = await untilInStep('live writes');
    expect(held.map((m) => (m as { hostname: string }).hostname)).toEqual(['a2', 'a3']);
    await waitFor(() => switches.client.state.size === 1, 'the switch');
    expect(machinesStatus()).toMatchObject({ ready: true, connected: true, subscribers: 5 });
    expect(downstream.every((d) => d.snapshots.length === 1 && !d.snapshots[0]!.reset)).toBe(true);
  });

  it("applies the owner's access rules to its own subscribers", async () => {
    const url = `${relay.url}/api/v1/sync`;
    const statuses = [
      (await openStream(`${url}/machines`, null)).status,
      (await openStream(`${url}/machines`, keys.userToken('kid', 'user'))).status,
      (await openStream(`${url}/users`, keys.token('root'))).status,
    ];
    expect(statuses).toEqual([401, 403, 404]);
  });

  it('keeps serving while mdb is down, then resumes it without a snapshot', async () => {
    const syncPort = mdb.syncPort;
    const before = stateOf(downstream[0]!);
    await mdb.stop();
    await waitFor(() => !machinesStatus().connected, 'the relay to see mdb gone');
    await new Promise((r) => setTimeout(r, 300)); // a few failed reconnections
    expect(downstream.every((d) => d.client.connected)).toBe(true);
    expect(downstream.every((d) => JSON.stringify(stateOf(d)) === JSON.stringify(before))).toBe(
      true,
    );
    const late = subscribe(relay.url); // a newcomer during the outage gets the relay's state
    await late.client.ready();
    expect(stateOf(late)).toEqual(before);
    downstream.push(late);
    const health = await (await fetch(`${relay.url}/healthz`)).json();
    expect(health).toMatchObject({ ok: true, tables: { machines: { connected: false } } });

    // Writes while the relay cannot see them: through an mdb on another sync port.
    mdb = await startMdbOn(database.url, keys);
    await write('POST', '/api/v1/machines', { hostname: 'b1', mac: '52:54:00:00:01:01' });
    await write('POST', '/api/v1/machines', { hostname: 'b2', mac: '52:54:00:00:01:02' });
    await write('PATCH', '/api/v1/machines/b1', { mac: '52:54:00:00:01:11' });
    await write('DELETE', '/api/v1/machines/a2');
    await mdb.stop();
    mdb = await startMdbOn(database.url, keys, syncPort); // where the relay looks
    await untilInStep('after the outage');
    expect(machinesStatus()).toMatchObject({ connected: true, resets: 0 });
    expect(machinesStatus().reconnects).toBeGreaterThan(0);
    expect(downstream.every((d) => d.snapshots.length === 1 && d.resets === 0)).toBe(true);
  });

  it('restarts from its state file at once; subscribers resume from it and miss nothing', async () => {
    const { port } = relay;
    const revision = machinesStatus().revision;
    await relay.service.stop();
    await waitFor(() => downstream.every((d) => !d.client.connected), 'subscribers cut off');
    await write('POST', '/api/v1/machines', { hostname: 'c1', mac: '52:54:00:00:02:01' });
    await write('DELETE', '/api/v1/machines/a3');
    relay = await startRelay(port, mdb.syncUrl, join(dir.path, 'state'));
    // Served from the state file before the upstream could answer.
    expect(machinesStatus()).toMatchObject({ ready: true, revision });
    const held = await untilInStep('after the relay restart');
    expect(held.map((m) => (m as { hostname: string }).hostname)).toEqual(['b1', 'b2', 'c1']);
    expect(machinesStatus()).toMatchObject({ resets: 0, subscribers: downstream.length });
    expect(downstream.every((d) => d.snapshots.length === 1 && d.resets === 0)).toBe(true);
    expect(downstream.every((d) => d.client.status.reconnects > 0)).toBe(true);
  });

  it('answers 503 until it holds a state; /healthz and /metrics say why', async () => {
    const closed = await freePort();
    const empty = await startRelay(0, `http://127.0.0.1:${closed}`, join(dir.path, 'empty'));
    const stream = await openStream(`${empty.url}/api/v1/sync/machines`, keys.token('reader'));
    expect(stream.status).toBe(503);
    const health = await fetch(`${empty.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({
      ok: false,
      tables: { machines: { ready: false, connected: false } },
    });
    const metrics = await (await fetch(`${relay.url}/metrics`)).text();
    expect(metrics).toMatch(/lanctl_relay_upstream_connected\{table="machines"\} 1/);
    expect(metrics).toMatch(/lanctl_relay_sync_subscribers \d+/);
    expect(metrics).toMatch(/lanctl_relay_resets_total\{table="switches"\} 0/);
  });
});

describe('relay config and construction', () => {
  it('refuses unknown tables, duplicates and missing dependencies, naming the field', () => {
    const parse = (raw: unknown) => relayConfigSchema.safeParse(raw);
    expect(parse({}).success).toBe(true);
    expect(parse({ tables: ['nope'] }).error?.issues[0]?.path).toEqual(['tables', 0]);
    expect(parse({ tables: ['users', 'users'] }).success).toBe(false);
    expect(parse({ upstream: 'ftp://x' }).success).toBe(false);
    expect(parse({ state_dir: 'relative' }).success).toBe(false);
    const config = relayConfigSchema.parse({});
    const deps = {
      logger: createLogger('relay', { silent: true }),
      metrics: createMetricsRegistry(),
      publicKey: keys.publicKey,
      token: () => 't',
    };
    expect(() => create(config, { ...deps, publicKey: undefined as never })).toThrow(/publicKey/);
    expect(() => create(config, { ...deps, token: 't' as never })).toThrow(/deps.token/);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
