import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateTimeauthToken, issueToken, presenceHostScope } from '@lanctl/auth';
import type { Listening } from '@lanctl/core';
import { callJson, openStream, type TempDir, tempDir, waitFor } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MdbHarness, startMdb } from '../../services/mdb/src/testing/harness.ts';
import type { PresenceService } from '../../services/presence/src/index.ts';
import { startPresence as startPresenceHarness } from '../../services/presence/src/testing/harness.ts';
import { startUdb, type UdbHarness } from '../../services/udb/src/testing/harness.ts';

const T = 30_000;
const SUB = 'presencesync-sub-secret';
let mdb: MdbHarness;
let mdbClosed = false;
let udb: UdbHarness;
let dir: TempDir;
let clock = Date.parse('2026-01-01T00:00:00Z');
let service: PresenceService;
let http: Listening;
let station: string;

async function startPresence(): Promise<void> {
  ({ service, http } = await startPresenceHarness({
    mdb,
    udb,
    stateDir: dir.path,
    timeoutSeconds: T / 1000,
    clock: () => clock,
    subSecretFile: join(dir.path, 'sub.secret'),
  }));
}

const call = (method: string, path: string, body?: unknown, token: string | null = station) =>
  callJson(http.url, method, `/api/v1${path}`, body, token);
const login = (l: string, h: string) => call('POST', '/presence/login', { login: l, hostname: h });
const list = async () =>
  (
    (await call('GET', '/presence', undefined, mdb.token('reader'))).body.items as {
      login: string;
      hostname: string;
    }[]
  ).map((s) => `${s.login}@${s.hostname}`);

beforeAll(async () => {
  [mdb, udb] = await Promise.all([startMdb('sqlite'), startUdb('sqlite')]);
  dir = await tempDir('lanctl-presence-');
  writeFileSync(join(dir.path, 'sub.secret'), SUB);
  station = issueToken(mdb.keys.privateKey, {
    subject: 'workstation',
    role: 'reader',
    scopes: ['presence:write'],
  });
  const root = udb.keys.token('root');
  for (const [hostname, mtype, n] of [
    ['seat1', 'user', 1],
    ['seat2', 'user', 2],
    ['seat3', 'user', 3],
    ['orgapc', 'orga', 4],
  ] as const) {
    const mac = `aa:bb:cc:00:00:0${n}`;
    const r = await mdb.call('POST', '/api/v1/machines', { hostname, mac, mtype, room: 'pasteur' });
    expect(r.status).toBe(201);
  }
  for (const [l, group] of [
    ['alice', 'user'],
    ['bob', 'user'],
    ['carol', 'user'],
    ['olga', 'orga'],
    ['rooty', 'root'],
  ] as const) {
    const r = await udb.call(
      'POST',
      '/api/v1/users',
      { login: l, firstname: 'A', lastname: 'B', group },
      root,
    );
    expect(r.status).toBe(201);
  }
  await startPresence();
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await Promise.all([mdbClosed ? undefined : mdb?.close(), udb?.close()]);
  await dir?.cleanup();
});

type Step = [
  what: string,
  act: () => Promise<{ status: number; body: any }>,
  status: number,
  code?: string,
  message?: string,
];

describe('presence rules over the HTTP API', () => {
  it('applies SADM’s decisions in order, with 423 and SADM’s texts', async () => {
    const steps: Step[] = [
      [
        'too early after start',
        () => login('alice', 'seat1'),
        423,
        'too_early',
        'Too early login: try again later',
      ],
      [
        'after one timeout: accepted',
        async () => {
          clock += T;
          return login('alice', 'seat1');
        },
        200,
      ],
      ['same user, same host: idempotent', () => login('alice', 'seat1'), 200],
      [
        'same user elsewhere',
        () => login('alice', 'seat2'),
        423,
        'already_logged',
        'alice is already logged somewhere else',
      ],
      ['another user on a busy host', () => login('bob', 'seat1'), 423, 'busy', 'seat1 is busy'],
      [
        'unknown machine',
        () => login('bob', 'nowhere'),
        423,
        'machine_not_registered',
        'nowhere is not a registered machine',
      ],
      [
        'unknown user',
        () => login('zed', 'seat2'),
        423,
        'user_not_registered',
        'zed is not a registered user',
      ],
      [
        'contestant on an orga machine',
        () => login('bob', 'orgapc'),
        423,
        'user_not_allowed',
        'bob is not a kind of user that is allowed to log on orgapc',
      ],
      ['orga on an orga machine', () => login('olga', 'orgapc'), 200],
      ['root on a user machine', () => login('rooty', 'seat3'), 200],
      [
        'logout from the wrong host',
        () => call('POST', '/presence/logout', { login: 'alice', hostname: 'seat2' }),
        423,
        'wrong_hostname',
        'Requested logout from the wrong hostname',
      ],
      [
        'logout when not logged in',
        () => call('POST', '/presence/logout', { login: 'bob', hostname: 'seat2' }),
        423,
        'not_logged_in',
        'Requested logout but not logged in',
      ],
      [
        'logout from the right host',
        () => call('POST', '/presence/logout', { login: 'rooty', hostname: 'seat3' }),
        200,
      ],
      ['bad body names the field', () => login('alice', 'Bad Host!'), 400],
      [
        'anonymous',
        () => call('POST', '/presence/login', { login: 'bob', hostname: 'seat2' }, null),
        401,
      ],
      [
        'without presence:write',
        () =>
          call('POST', '/presence/login', { login: 'bob', hostname: 'seat2' }, mdb.token('reader')),
        403,
      ],
    ];
    for (const [what, act, status, code, message] of steps) {
      const r = await act();
      expect({ what, status: r.status }).toEqual({ what, status });
      if (code)
        expect({ what, error: r.body.error }).toMatchObject({ what, error: { code, message } });
    }
    expect(await list()).toEqual(['alice@seat1', 'olga@orgapc']);
    const metrics = await (await fetch(`${http.url}/metrics`)).text();
    expect(metrics).toMatch(/lanctl_presence_login_failed_total\{reason="busy"\} 1/);
    expect(metrics).toMatch(/lanctl_presence_sessions 2/);
  });

  it('expires sessions after the timeout unless refreshed by heartbeats', async () => {
    clock += T / 2;
    expect(
      (await call('POST', '/presence/heartbeat', { login: 'alice', hostname: 'seat1' })).status,
    ).toBe(200);
    clock += T / 2 + 1;
    expect(await list()).toEqual(['alice@seat1']);
    clock += T;
    expect(await list()).toEqual([]);
    expect((await login('bob', 'seat1')).status).toBe(200);
  });

  it('a heartbeat takes a host over, but moves a live session only while rebuilding', async () => {
    const stream = await openStream(`${http.url}/api/v1/sync/presence`, mdb.token('reader'));
    expect(stream.status).toBe(200);
    const beat = (l: string, h: string) =>
      call('POST', '/presence/heartbeat', { login: l, hostname: h });
    expect((await login('carol', 'seat2')).status).toBe(200);
    // bob is live on seat1: seat2 cannot claim him (SADM moved him, so any machine could).
    const claim = await beat('bob', 'seat2');
    expect(claim.status).toBe(423);
    expect(claim.body.error).toEqual({
      code: 'already_logged',
      message: 'bob is already logged somewhere else',
    });
    // Heartbeats follow the login rules: unknown users and machines, contestants on orga machines.
    expect((await beat('nobody', 'seat3')).body.error.code).toBe('user_not_registered');
    expect((await beat('alice', 'ghost')).body.error.code).toBe('machine_not_registered');
    expect((await beat('alice', 'orgapc')).body.error.code).toBe('user_not_allowed');
    expect(await list()).toEqual(['bob@seat1', 'carol@seat2']);
    // Once bob has left seat1, seat2 says bob sits there: carol is ended, seat1 is free.
    expect(
      (await call('POST', '/presence/logout', { login: 'bob', hostname: 'seat1' })).status,
    ).toBe(200);
    expect((await beat('bob', 'seat2')).status).toBe(200);
    expect(await list()).toEqual(['bob@seat2']);
    expect((await login('alice', 'seat1')).status).toBe(200);
    await waitFor(
      () => stream.events.filter((e) => e.type === 'change').length >= 5,
      'stream changes',
    );
    const changes = stream.events.flatMap((e) =>
      e.type === 'change' ? [`${e.data.op} ${JSON.stringify(e.data.record)}`] : [],
    );
    expect(changes).toEqual([
      'update {"login":"carol","hostname":"seat2"}',
      'delete {"login":"bob","hostname":"seat1"}',
      'delete {"login":"carol","hostname":"seat2"}',
      'update {"login":"bob","hostname":"seat2"}',
      'update {"login":"alice","hostname":"seat1"}',
    ]);
    const metrics = await (await fetch(`${http.url}/metrics`)).text();
    expect(metrics).toMatch(/lanctl_presence_heartbeat_refused_total\{reason="already_logged"\} 1/);
    stream.stop();
  });

  it('binds a host token (presence:host:<H>) to its machine', async () => {
    const seat3 = issueToken(mdb.keys.privateKey, {
      subject: 'ws-seat3',
      role: 'reader',
      scopes: ['read', presenceHostScope('seat3')],
    });
    const as = (path: string, l: string, h: string) =>
      call('POST', `/presence/${path}`, { login: l, hostname: h }, seat3);
    expect((await as('login', 'carol', 'seat3')).status).toBe(200);
    expect((await as('heartbeat', 'carol', 'seat3')).status).toBe(200);
    const elsewhere = await as('heartbeat', 'carol', 'seat1');
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.error.message).toBe('this token is bound to another machine than seat1');
    expect((await as('logout', 'carol', 'seat1')).status).toBe(403);
    expect((await as('logout', 'carol', 'seat3')).status).toBe(200);
    expect(await list()).not.toContain('carol@seat3');
  });

  it('lets roots end sessions and free machines; others get 403, anonymous 401', async () => {
    const reader = mdb.token('reader');
    expect((await call('DELETE', '/presence/users/alice', undefined, null)).status).toBe(401);
    expect((await call('DELETE', '/presence/users/alice', undefined, reader)).status).toBe(403);
    expect(
      (await call('DELETE', '/presence/users/alice', undefined, mdb.token('orga'))).status,
    ).toBe(403);
    expect(
      (await call('DELETE', '/presence/users/alice', undefined, mdb.token('root'))).status,
    ).toBe(204);
    expect(
      (await call('DELETE', '/presence/machines/seat2', undefined, mdb.token('root'))).status,
    ).toBe(204);
    expect(
      (await call('DELETE', '/presence/machines/seat2', undefined, mdb.token('root'))).status,
    ).toBe(404);
    expect(await list()).toEqual([]);
  });

  it('serves SADM’s presencesync /poll: the backlog, then deletes before the update of a takeover', async () => {
    const controller = new AbortController();
    const token = encodeURIComponent(generateTimeauthToken(SUB, null));
    const res = await fetch(`${http.url}/poll?data=%7B%7D&hmac=${token}`, {
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    const lines: string[] = [];
    let buffer = '';
    void (async () => {
      try {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += Buffer.from(chunk).toString();
          const parts = buffer.split('\n');
          buffer = parts.pop()!;
          for (const p of parts) if (p.trim()) lines.push(p.trim());
        }
      } catch {
        // aborted
      }
    })();
    const refused = await fetch(
      `${http.url}/poll?data=%7B%7D&hmac=${encodeURIComponent(generateTimeauthToken('wrong', null))}`,
    );
    expect(refused.status).toBe(403);
    await waitFor(() => lines.length >= 1, 'the backlog');
    expect(JSON.parse(lines[0]!)).toEqual([]);
    expect((await login('alice', 'seat1')).status).toBe(200);
    expect(
      (await call('POST', '/presence/heartbeat', { login: 'bob', hostname: 'seat1' })).status,
    ).toBe(200);
    await waitFor(() => lines.length >= 3, 'two messages');
    expect(lines.slice(1).map((l) => JSON.parse(l))).toEqual([
      [{ type: 'update', data: { login: 'alice', hostname: 'seat1' } }],
      [
        { type: 'delete', data: { login: 'alice', hostname: 'seat1' } },
        { type: 'update', data: { login: 'bob', hostname: 'seat1' } },
      ],
    ]);
    controller.abort();
    expect((await call('DELETE', '/presence/users/bob', undefined, mdb.token('root'))).status).toBe(
      204,
    );
  });

  it('restarts with an empty state and a new too-early window', async () => {
    expect((await login('alice', 'seat1')).status).toBe(200);
    const before = await openStream(`${http.url}/api/v1/sync/presence`, mdb.token('reader'));
    await waitFor(() => before.events.length >= 1, 'the snapshot before the restart');
    const oldRevision = before.events[0]!.data.revision;
    before.stop();
    await service.stop();
    await startPresence();
    expect(await list()).toEqual([]);
    // A subscriber resuming from the old run's revision (sso, firewall after a reconnect) gets a
    // reset snapshot of the new run, not the new run's changes on top of its old table.
    for (const [l, h] of [
      ['bob', 'seat2'],
      ['carol', 'seat3'],
    ] as const) {
      await call('POST', '/presence/heartbeat', { login: l, hostname: h });
    }
    const resumed = await openStream(
      `${http.url}/api/v1/sync/presence`,
      mdb.token('reader'),
      oldRevision,
    );
    await waitFor(() => resumed.events.length >= 1, 'the answer to a resume across a restart');
    const first = resumed.events[0]!;
    expect(first.type).toBe('snapshot');
    expect(first.type === 'snapshot' && first.data.reset).toBe(true);
    expect(
      first.type === 'snapshot' &&
        first.data.items.map((i) => (i.record as { login: string }).login).sort(),
    ).toEqual(['bob', 'carol']);
    resumed.stop();
    for (const l of ['bob', 'carol']) {
      expect(
        (await call('DELETE', `/presence/users/${l}`, undefined, mdb.token('root'))).status,
      ).toBe(204);
    }
    expect(service.health()).toMatchObject({ too_early: true });
    expect((await login('alice', 'seat1')).body.error.code).toBe('too_early');
    expect(
      (await call('POST', '/presence/heartbeat', { login: 'alice', hostname: 'seat1' })).status,
    ).toBe(200);
    // While rebuilding, heartbeats move sessions (the last claim wins) and free the old host
    // (SADM kept it busy until a restart).
    expect(
      (await call('POST', '/presence/heartbeat', { login: 'alice', hostname: 'seat3' })).status,
    ).toBe(200);
    expect(await list()).toEqual(['alice@seat3']);
    expect(
      (await call('POST', '/presence/heartbeat', { login: 'alice', hostname: 'seat1' })).status,
    ).toBe(200);
    clock += T / 2;
    expect((await login('bob', 'seat1')).body.error.code).toBe('too_early');
    expect(
      (await call('POST', '/presence/heartbeat', { login: 'alice', hostname: 'seat1' })).status,
    ).toBe(200);
    clock += T / 2;
    expect(service.health()).toMatchObject({ too_early: false });
    expect((await login('bob', 'seat1')).body.error.code).toBe('busy');
  });

  it('keeps deciding from the last tables while mdb is down, and says so in /healthz', async () => {
    expect(service.health()).toMatchObject({ ok: true, degraded: false });
    await mdb.close();
    mdbClosed = true;
    await waitFor(() => service.health().degraded === true, 'degraded health');
    const health = await (await fetch(`${http.url}/healthz`)).json();
    expect(health).toMatchObject({ degraded: true, loaded: { machines: true, users: true } });
    expect((await login('carol', 'seat2')).status).toBe(200);
    expect((await login('bob', 'orgapc')).body.error.code).toBe('user_not_allowed');
  });
});
