import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  authenticate,
  ensureSigningKeys,
  issueToken,
  loadPrivateKey,
  loadPublicKey,
} from '@lanctl/auth';
import {
  createHttpApp,
  createLogger,
  createMetricsRegistry,
  type Listening,
  listen,
} from '@lanctl/core';
import { afterEach, describe, expect, it } from 'vitest';
import { byOwner, type FollowedTables, followTables, type TableSource } from './follow.ts';
import { Hub } from './hub.ts';
import { createStreamServer } from './server.ts';

interface Host {
  host: string;
  ip: string;
}
interface Flag {
  key: string;
  on: boolean;
}
type Records = { hosts: Host; flags: Flag };

/** Nothing listens on port 1: connections are refused at once (an upstream that is down). */
const DOWN = 'http://127.0.0.1:1';
const FAST = { initialMs: 20, maxMs: 100 };

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lanctl-follow-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** An owner's sync port from memory: a hub of `hosts` and `flags`, native streams, tokens. */
async function startUpstream() {
  const dir = tempDir();
  const files = { privateKeyFile: join(dir, 'key'), publicKeyFile: join(dir, 'key.pub') };
  ensureSigningKeys(files);
  const token = issueToken(loadPrivateKey(files.privateKeyFile), { subject: 't', role: 'reader' });
  const logger = createLogger('upstream', { silent: true });
  const metrics = createMetricsRegistry();
  const hub = new Hub({ tables: ['hosts', 'flags'], logger });
  let revision = 0;
  hub.reset(revision, {
    hosts: [{ id: 'a', record: { host: 'a', ip: '10.0.0.1' } }],
    flags: [],
  });
  const streams = createStreamServer({
    hub,
    access: { hosts: { scope: 'read' }, flags: { scope: 'read' } },
    logger,
    metrics,
    service: 'follow_test',
  });
  const app = createHttpApp({
    service: 'follow_test',
    logger,
    metrics,
    mount: (a) =>
      a.use('/api/v1', authenticate(loadPublicKey(files.publicKeyFile)), streams.router),
  });
  const http: Listening = await listen(app, '127.0.0.1', 0);
  cleanups.push(async () => {
    streams.closeAll();
    await http.close(1000);
  });
  return {
    url: http.url,
    token: () => token,
    put(table: 'hosts' | 'flags', id: string, record: Host | Flag) {
      hub.apply([{ revision: ++revision, table, id, op: 'create', record }]);
    },
  };
}

function captureLogs() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, logger: createLogger('test', { stream, level: 'debug' }) };
}

function follow(
  tables: Record<keyof Records, TableSource>,
  stateDir: string,
  extra: Partial<Parameters<typeof followTables<Records>>[0]> = {},
): FollowedTables<Records> {
  const followed = followTables<Records>({
    tables,
    stateDir,
    logger: createLogger('test', { silent: true }),
    backoff: FAST,
    ...extra,
  });
  cleanups.push(() => followed.stop());
  return followed;
}

const until = async (check: () => boolean, what: string) => {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('followTables', () => {
  it('says which tables were never received, and logs each first arrival once', async () => {
    const up = await startUpstream();
    const { lines, logger } = captureLogs();
    const followed = follow(
      {
        hosts: { upstream: up.url, token: up.token },
        flags: { upstream: DOWN, token: up.token },
      },
      tempDir(),
      { logger },
    );
    const ready = followed.ready();
    ready.catch(() => undefined);
    expect(followed.waitingFor()).toEqual(['hosts', 'flags']);
    followed.start();
    await until(() => followed.received('hosts'), 'hosts');
    expect(followed.waitingFor()).toEqual(['flags']);
    expect(followed.allReceived()).toBe(false);
    expect(followed.received('flags')).toBe(false);
    expect(followed.state('hosts').get('a')).toEqual({ host: 'a', ip: '10.0.0.1' });
    await until(() => followed.status().hosts.connected, 'hosts connected');
    expect(followed.allConnected()).toBe(false);
    expect(followed.status().flags).toMatchObject({ connected: false, lastEventAt: null });
    up.put('hosts', 'b', { host: 'b', ip: '10.0.0.2' });
    await until(() => followed.state('hosts').size === 2, 'the change');
    const received = lines.filter((l) => String(l.message).endsWith('received'));
    expect(received).toEqual([
      expect.objectContaining({
        level: 'info',
        message: 'table hosts received',
        table: 'hosts',
        records: 1,
        waiting_for: ['flags'],
      }),
    ]);
    await followed.stop();
    await expect(ready).rejects.toThrow(/stopped before any state/);
  });

  it('counts a table loaded from its state file as received, with upstream down', async () => {
    const up = await startUpstream();
    const stateDir = tempDir();
    const first = follow(byOwner({ hosts: 'o', flags: 'o' }, { o: up.url }, up.token), stateDir);
    first.start();
    await first.ready();
    up.put('hosts', 'b', { host: 'b', ip: '10.0.0.2' });
    await until(() => first.state('hosts').size === 2, 'the change');
    await first.stop();

    const updates: [string, number][] = [];
    const second = follow(
      { hosts: { upstream: DOWN, token: up.token }, flags: { upstream: DOWN, token: up.token } },
      stateDir,
      {
        onUpdate: (table, state) => {
          updates.push([table, state.size]);
        },
      },
    );
    second.start();
    await second.ready();
    await until(() => updates.length === 2, 'both state files');
    expect(second.waitingFor()).toEqual([]);
    expect(second.allReceived()).toBe(true);
    expect(second.received('flags')).toBe(true); // empty, still received
    expect(second.allConnected()).toBe(false);
    expect([...second.state('hosts').keys()].sort()).toEqual(['a', 'b']);
    expect(updates.sort()).toEqual([
      ['flags', 0],
      ['hosts', 2],
    ]);
  });

  it('runs onUpdate once received, one batch of a table at a time, in order', async () => {
    const up = await startUpstream();
    const calls: string[] = [];
    let followed: FollowedTables<Records> | undefined;
    followed = follow(byOwner({ hosts: 'o', flags: 'o' }, { o: up.url }, up.token), tempDir(), {
      onUpdate: async (table, state) => {
        if (table === 'hosts') {
          const ips = [...state.values()].map((h) => h.ip).join(' ');
          calls.push(`start ${table} ${ips} received=${followed?.received(table)}`);
        } else {
          calls.push(`start ${table} ${[...state.values()].filter((f) => f.on).length} on`);
        }
        await new Promise((r) => setTimeout(r, 5));
        calls.push(`end ${table}`);
      },
    });
    followed.start();
    await followed.ready();
    await until(() => calls.length === 4, 'both snapshots');
    up.put('hosts', 'b', { host: 'b', ip: '10.0.0.2' });
    up.put('hosts', 'c', { host: 'c', ip: '10.0.0.3' });
    up.put('flags', 'x', { key: 'x', on: true });
    const settled = () =>
      calls.filter((c) => c.startsWith('start')).length ===
      calls.filter((c) => c.startsWith('end')).length;
    await until(
      () => followed.state('hosts').size === 3 && followed.state('flags').size === 1 && settled(),
      'the changes',
    );
    await until(() => calls.includes('start flags 1 on') && settled(), 'the flags update');
    const hosts = calls.filter((c) => c.includes('hosts'));
    for (let i = 0; i < hosts.length; i += 2) {
      expect(hosts[i]).toMatch(/^start hosts .* received=true$/);
      expect(hosts[i + 1]).toBe('end hosts');
    }
    expect(hosts[0]).toBe('start hosts 10.0.0.1 received=true');
    expect(hosts.at(-2)).toBe('start hosts 10.0.0.1 10.0.0.2 10.0.0.3 received=true');
    expect(calls.filter((c) => c.startsWith('start flags'))).toEqual([
      'start flags 0 on',
      'start flags 1 on',
    ]);
  });

  it('rejects a configuration without tables or with a table without a token function', () => {
    const logger = createLogger('test', { silent: true });
    expect(() => followTables({ tables: {}, stateDir: '/nonexistent', logger })).toThrow(
      /tables must name at least one table/,
    );
    expect(() =>
      followTables<Records>({
        tables: {
          hosts: { upstream: DOWN, token: () => '' },
          flags: { upstream: DOWN } as unknown as TableSource,
        },
        stateDir: '/nonexistent',
        logger,
      }),
    ).toThrow(/tables\.flags\.token must be a function/);
  });
});

describe('byOwner', () => {
  it('gives each table its owner’s upstream and token', () => {
    const asked: string[] = [];
    const sources = byOwner(
      { machines: 'mdb', rooms: 'mdb', users: 'udb' },
      { mdb: 'http://mdb:20010', udb: 'http://udb:20020' },
      (owner) => {
        asked.push(owner);
        return `token-${owner}`;
      },
    );
    expect(Object.keys(sources)).toEqual(['machines', 'rooms', 'users']);
    expect(sources.rooms.upstream).toBe('http://mdb:20010');
    expect(sources.users.upstream).toBe('http://udb:20020');
    expect(asked).toEqual([]); // read at connection time, not before
    expect(sources.users.token()).toBe('token-udb');
    expect(sources.machines.token()).toBe('token-mdb');
    expect(asked).toEqual(['udb', 'mdb']);
  });
});
