import { Writable } from 'node:stream';
import { createLogger, createMetricsRegistry } from '@lanctl/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHeartbeat, type HeartbeatDeps } from './heartbeat.ts';
import { createPresencedMetrics } from './metrics.ts';
import type { PasswdEntry } from './passwd.ts';

const UIDS: Record<string, number> = { alice: 15_000, bob: 15_001, root: 0, www: 33 };

function setup(overrides: Partial<HeartbeatDeps> = {}) {
  const lines: { level: string; message: string; [k: string]: unknown }[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const registry = createMetricsRegistry();
  const world = {
    users: [] as string[],
    fail: null as Error | null,
    sent: [] as string[],
    rounds: 0,
  };
  const heartbeat = createHeartbeat({
    loggedIn: async () => {
      world.rounds++;
      return world.users;
    },
    passwd: {
      byName: async (login) =>
        UIDS[login] === undefined
          ? null
          : ({ login, uid: UIDS[login], gid: 1, home: '/', shell: '/bin/sh' } as PasswdEntry),
    },
    send: async (login, hostname) => {
      if (world.fail) throw world.fail;
      world.sent.push(`${login}@${hostname}`);
    },
    hostname: 'pc1',
    range: { min: 10_000, max: 19_999 },
    intervalMs: 15_000,
    retryMs: 2_000,
    logger: createLogger('presenced', { stream }),
    metrics: createPresencedMetrics(registry),
    now: () => 1_000_000,
    ...overrides,
  });
  const metric = async (name: string) =>
    (await registry.getSingleMetricAsString(name))
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .join(' ');
  return { heartbeat, world, lines, metric };
}

const unreachable = () =>
  Object.assign(new Error('cannot reach presence at http://presence:20060'), {
    code: 'unreachable',
  });

afterEach(() => vi.useRealTimers());

describe('heartbeat rounds', () => {
  it('sends only for exactly one managed user, and logs once per state change', async () => {
    const { heartbeat, world, lines, metric } = setup();
    const rounds: [string[], string][] = [
      [[], 'idle'],
      [['root', 'www'], 'idle'],
      [['alice', 'root'], 'heartbeating'],
      [['alice'], 'heartbeating'],
      [['alice', 'bob'], 'several_users'],
      [['alice', 'bob'], 'several_users'],
      [['bob'], 'heartbeating'],
    ];
    for (const [users, kind] of rounds) {
      world.users = users;
      await heartbeat.round();
      expect(heartbeat.status().state.kind).toBe(kind);
    }
    expect(world.sent).toEqual(['alice@pc1', 'alice@pc1', 'bob@pc1']);
    expect(lines.map((l) => [l.level, l.message])).toEqual([
      ['info', 'no managed user logged in'],
      ['info', 'sending heartbeats'],
      ['error', 'several managed users logged in: no heartbeat, their session will expire'],
      ['info', 'sending heartbeats'],
    ]);
    expect(lines[2]?.logins).toEqual(['alice', 'bob']);
    expect(await metric('lanctl_presenced_heartbeats_sent_total')).toMatch(/ 3$/);
    expect(await metric('lanctl_presenced_heartbeats_skipped_total')).toMatch(/several_users"} 2/);
    expect(await metric('lanctl_presenced_managed_users')).toMatch(/ 1$/);
    expect(await metric('lanctl_presenced_last_success_timestamp_seconds')).toMatch(/ 1000$/);
  });

  it('counts failures by reason, logs the first and the recovery', async () => {
    const { heartbeat, world, lines, metric } = setup();
    world.users = ['alice'];
    world.fail = unreachable();
    await heartbeat.round();
    await heartbeat.round();
    expect(heartbeat.status()).toMatchObject({ consecutiveFailures: 2, lastSuccessAt: null });
    expect(heartbeat.status().state).toMatchObject({ kind: 'failing', reason: 'unreachable' });
    world.fail = null;
    await heartbeat.round();
    expect(heartbeat.status().consecutiveFailures).toBe(0);
    expect(lines.map((l) => l.message)).toEqual([
      'heartbeat round failed; retrying',
      'heartbeat round recovered',
      'sending heartbeats',
    ]);
    expect(lines[0]).toMatchObject({ reason: 'unreachable', retry_in_seconds: 2 });
    expect(lines[1]).toMatchObject({ failed_rounds: 2 });
    expect(await metric('lanctl_presenced_heartbeats_failed_total')).toMatch(/unreachable"} 2/);
  });

  it('retries after 2 s, doubling up to the interval, then back to the interval', async () => {
    vi.useFakeTimers();
    const { heartbeat, world } = setup();
    world.users = ['alice'];
    world.fail = unreachable();
    heartbeat.start();
    const rounds: number[] = [];
    for (const wait of [0, 2_000, 4_000, 8_000, 15_000, 15_000]) {
      await vi.advanceTimersByTimeAsync(wait);
      rounds.push(world.rounds);
    }
    expect(rounds).toEqual([1, 2, 3, 4, 5, 6]);
    await vi.advanceTimersByTimeAsync(14_999);
    expect(world.rounds).toBe(6);
    world.fail = null;
    await vi.advanceTimersByTimeAsync(1);
    expect(world.rounds).toBe(7);
    await vi.advanceTimersByTimeAsync(14_999);
    expect(world.rounds).toBe(7);
    await vi.advanceTimersByTimeAsync(1);
    expect(world.rounds).toBe(8);
    await heartbeat.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(world.rounds).toBe(8);
  });

  it('reports utmp and passwd failures with their own reason', async () => {
    const enoent = new Error('ENOENT: no such file, open /run/utmp');
    const utmp = setup({ loggedIn: () => Promise.reject(enoent) });
    await utmp.heartbeat.round();
    expect(utmp.heartbeat.status().state).toEqual({
      kind: 'failing',
      reason: 'utmp',
      error: enoent.message,
    });
    const passwd = setup({
      passwd: { byName: () => Promise.reject(new Error('getent timed out')) },
    });
    passwd.world.users = ['alice'];
    await passwd.heartbeat.round();
    expect(passwd.heartbeat.status().state).toMatchObject({ kind: 'failing', reason: 'passwd' });
    expect(passwd.world.sent).toEqual([]);
  });

  it('counts a utmp name NSS answers with another entry as that entry’s user (Alice → alice)', async () => {
    const byName = async (name: string) => {
      const login = name.toLowerCase();
      const uid = UIDS[login];
      return uid === undefined ? null : { login, uid, gid: 1, home: '/', shell: '/bin/sh' };
    };
    const { heartbeat, world } = setup({ passwd: { byName } });
    world.users = ['Alice', 'alice'];
    await heartbeat.round();
    expect(world.sent).toEqual(['alice@pc1']);
    world.users = ['Alice', 'bob'];
    await heartbeat.round();
    expect(heartbeat.status().state).toEqual({ kind: 'several_users', logins: ['alice', 'bob'] });
  });
});
