import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Directory, decide, decideHeartbeat, PresenceTable } from './state.ts';

const directory: Directory = {
  machineType: (h) => ({ seat1: 'user', seat2: 'user', orgapc: 'orga' })[h],
  userGroup: (l) => (({ alice: 'user', olga: 'orga' }) as const)[l as 'alice' | 'olga'],
};
const base = { tooEarly: false, current: undefined, occupant: undefined, directory };

describe('decide', () => {
  it('follows SADM’s order: too early before everything, idempotent re-login first after it', () => {
    expect(decide({ ...base, login: 'x', hostname: 'y', tooEarly: true })?.reason).toBe(
      'too_early',
    );
    expect(decide({ ...base, login: 'alice', hostname: 'seat1', current: 'seat1' })).toBeNull();
    expect(
      decide({ ...base, login: 'alice', hostname: 'seat1', current: 'seat2', occupant: 'bob' })
        ?.reason,
    ).toBe('already_logged');
    expect(decide({ ...base, login: 'zed', hostname: 'nowhere', occupant: 'bob' })?.reason).toBe(
      'busy',
    );
    expect(decide({ ...base, login: 'zed', hostname: 'nowhere' })?.reason).toBe(
      'machine_not_registered',
    );
    expect(decide({ ...base, login: 'zed', hostname: 'seat1' })?.reason).toBe(
      'user_not_registered',
    );
    expect(decide({ ...base, login: 'alice', hostname: 'orgapc' })?.reason).toBe(
      'user_not_allowed',
    );
    expect(decide({ ...base, login: 'olga', hostname: 'seat1' })).toBeNull();
  });
});

describe('decideHeartbeat', () => {
  const beat = (login: string, hostname: string, current?: string, rebuilding = false) =>
    decideHeartbeat({ login, hostname, current, rebuilding, directory })?.reason ?? 'accepted';
  it.each([
    ['refreshes a session where it is', 'alice', 'seat1', 'seat1', false, 'accepted'],
    ['starts one on a free or taken machine', 'alice', 'seat1', undefined, false, 'accepted'],
    ['does not move a live session', 'alice', 'seat2', 'seat1', false, 'already_logged'],
    ['moves it while rebuilding', 'alice', 'seat2', 'seat1', true, 'accepted'],
    ['refuses an unknown user', 'ghost', 'seat1', undefined, true, 'user_not_registered'],
    ['refuses an unknown machine', 'alice', 'nowhere', undefined, true, 'machine_not_registered'],
    ['keeps contestants off orga machines', 'alice', 'orgapc', undefined, true, 'user_not_allowed'],
  ] as const)('%s', (_what, login, hostname, current, rebuilding, expected) => {
    expect(beat(login, hostname, current, rebuilding)).toBe(expected);
  });
});

describe('PresenceTable', () => {
  it('keeps one host per user and one user per host under any heartbeat sequence', () => {
    const ops = fc.array(
      fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.constantFrom('h1', 'h2', 'h3'), fc.nat(40)),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(ops, (seq) => {
        const table = new PresenceTable(30);
        let now = 0;
        for (const [l, h, dt] of seq) {
          now += dt;
          table.purge(now);
          table.refresh(l, h, now);
          const sessions = table.list();
          expect(new Set(sessions.map((s) => s.hostname)).size).toBe(sessions.length);
          for (const s of sessions) expect(table.occupantOf(s.hostname)).toBe(s.login);
          expect(table.hostOf(l)).toBe(h);
        }
      }),
    );
  });

  it('purges exactly the expired sessions, though it stops at the first live one', () => {
    const ops = fc.array(
      fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.constantFrom('h1', 'h2', 'h3'), fc.nat(20)),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(ops, fc.nat(60), (seq, later) => {
        const table = new PresenceTable(30);
        let now = 0;
        for (const [l, h, dt] of seq) {
          now += dt;
          table.refresh(l, h, now);
        }
        const expired = table.list().filter((s) => s.expiresAt <= now + later);
        const ended = table.purge(now + later).map((c) => c.login);
        expect(ended.sort()).toEqual(expired.map((s) => s.login).sort());
        expect(table.list().every((s) => s.expiresAt > now + later)).toBe(true);
      }),
    );
  });

  it('keeps expiring after the clock steps back (expiry order kept)', () => {
    const table = new PresenceTable(30);
    table.refresh('a', 'h1', 100);
    table.refresh('b', 'h2', 50); // the clock stepped back 50
    expect(table.purge(129)).toEqual([]);
    expect(table.purge(130).map((c) => c.login)).toEqual(['a', 'b']);
  });

  it('expires at the timeout and publishes the deletes', () => {
    const table = new PresenceTable(30);
    expect(table.refresh('a', 'h1', 0)).toEqual([{ op: 'update', login: 'a', hostname: 'h1' }]);
    expect(table.refresh('a', 'h1', 10)).toEqual([]);
    expect(table.purge(39)).toEqual([]);
    expect(table.purge(40)).toEqual([{ op: 'delete', login: 'a', hostname: 'h1' }]);
    expect(table.occupantOf('h1')).toBeUndefined();
  });
});
