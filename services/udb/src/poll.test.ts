import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateTimeauthToken, verifyPassword } from '@lanctl/auth';
import { sql } from '@lanctl/db';
import type { User } from '@lanctl/model';
import { ENGINES, openStream, type TempDir, tempDir, waitFor } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SadmPollClient,
  sadmPublish,
  startSadmPollClient,
} from '../../../packages/sync/src/testing/sadm-client.ts';
import { toSadmUser } from './sadm.ts';
import { startUdb, type UdbHarness } from './testing/harness.ts';

const SUB = 'udbsync-sub-secret';
const PUB = 'udbsync-pub-secret';
const CLEAR = 'Clear-Pw-4-sadm';

const until = (check: () => boolean, what: string) => waitFor(check, what, 10_000);

describe.each(ENGINES)('udb SADM /poll and /update on %s', (engine) => {
  let udb: UdbHarness;
  let root: string;
  let dir: TempDir;
  const clients: SadmPollClient[] = [];
  const poller = () => {
    const client = startSadmPollClient(udb.url, 'login', SUB);
    clients.push(client);
    return client;
  };
  /** The API's users with their hashes, keyed and shaped as SADM's subscribers hold them. */
  const apiState = async () => {
    const { body } = await udb.call('GET', '/api/v1/users?limit=5000', undefined, root);
    const hashes = await udb.service.users.hashes();
    return Object.fromEntries(
      (body.items as User[]).map((u) => [
        u.login,
        { ...toSadmUser(u), password_hash: hashes.get(u.login) },
      ]),
    );
  };
  const publish = (items: unknown[], secret = PUB) =>
    sadmPublish(udb.url, secret, JSON.stringify(items));

  beforeAll(async () => {
    dir = await tempDir('lanctl-udb-poll-');
    writeFileSync(join(dir.path, 'sub'), SUB);
    writeFileSync(join(dir.path, 'pub'), PUB);
    udb = await startUdb(engine, {
      sadm: { sub_secret_file: join(dir.path, 'sub'), pub_secret_file: join(dir.path, 'pub') },
    });
    root = udb.keys.token('root');
  });
  afterAll(async () => {
    for (const client of clients) client.stop();
    await udb.close();
    await dir.cleanup();
  });

  it('SADM’s blocking client gets users with password_hash, never a password', async () => {
    const client = poller();
    await until(() => client.messages.length === 1, 'the backlog');
    expect(client.messages[0]!.state).toEqual(await apiState());
    const admin = client.messages[0]!.state.admin!;
    expect(admin.password_hash).toMatch(/^\$6\$/);
    expect(admin).not.toHaveProperty('password');
    await udb.call(
      'POST',
      '/api/v1/users',
      { login: 'jdoe', firstname: 'J', lastname: 'Doe', password: 'pw-in-clear' },
      root,
    );
    await udb.call('PATCH', '/api/v1/users/jdoe', { shell: '/bin/zsh' }, root);
    await udb.call(
      'POST',
      '/api/v1/users',
      { login: 'gone', firstname: 'G', lastname: 'One' },
      root,
    );
    await udb.call('DELETE', '/api/v1/users/gone', undefined, root);
    const expected = await apiState();
    await until(
      () => JSON.stringify(client.messages.at(-1)?.state) === JSON.stringify(expected),
      'the client to converge',
    );
    expect(client.messages.at(-1)!.state.jdoe!.shell).toBe('/bin/zsh');
    expect(client.messages.map((m) => m.raw).join('')).not.toContain('pw-in-clear');
    expect(client.events).toEqual([]);
  });

  it('refuses bad or expired tokens with 403 and missing arguments with 400', async () => {
    const get = (query: string) => fetch(`${udb.service.syncUrl}/poll${query}`);
    for (const token of [
      generateTimeauthToken(PUB, null),
      generateTimeauthToken(SUB, null, Date.now() - 121_000),
    ]) {
      const res = await get(`?data=%7B%7D&hmac=${encodeURIComponent(token)}`);
      expect([res.status, await res.text()]).toEqual([403, 'Invalid token']);
    }
    expect((await get('?data=%7B%7D')).status).toBe(400);
    expect(
      (await get(`?hmac=${encodeURIComponent(generateTimeauthToken(SUB, null))}`)).status,
    ).toBe(400);
  });

  it('/update hashes a clear password at once and never stores it', async () => {
    const client = poller();
    await until(() => client.messages.length === 1, 'the backlog');
    const stream = await openStream(`${udb.url}/api/v1/sync/users`, root);
    const kid = {
      login: 'sadmkid',
      firstname: 'Sadm',
      lastname: 'Kid',
      uid: 10500,
      group: 'user',
      password: CLEAR,
      shell: '/bin/bash',
      ssh_key: null,
      id: 10500,
    };
    expect(await publish([{ type: 'update', data: kid }])).toEqual({ status: 200, body: '' });
    const row = await udb.service.users.find('sadmkid');
    expect(row).toMatchObject({ uid: 10500, grp: 'user', firstname: 'Sadm' });
    expect(row!.password_hash).toMatch(/^\$6\$/);
    expect(verifyPassword(CLEAR, row!.password_hash)).toBe(true);
    const login = await udb.call('POST', '/api/v1/auth/login', {
      login: 'sadmkid',
      password: CLEAR,
    });
    expect(login.status).toBe(200);
    const { rows } = await sql<{ record: string }>`SELECT record FROM change_log`.execute(
      udb.service.database.db,
    );
    expect(rows.map((r) => r.record).join('\n')).not.toContain(CLEAR);
    await until(() => client.messages.at(-1)?.state.sadmkid !== undefined, 'the SADM client');
    expect(client.messages.at(-1)!.state.sadmkid).toMatchObject({
      login: 'sadmkid',
      password_hash: row!.password_hash,
    });
    expect(client.messages.at(-1)!.state.sadmkid).not.toHaveProperty('password');
    await until(
      () => stream.events.some((e) => e.type === 'change' && e.data.op === 'create'),
      'the native stream',
    );
    stream.stop();

    // An update of a known login edits it; a new password replaces the hash.
    const edit = { login: 'sadmkid', lastname: 'Renamed', password: 'Another-Pw-1' };
    expect(await publish([{ type: 'update', data: edit }])).toMatchObject({ status: 200 });
    const edited = await udb.service.users.find('sadmkid');
    expect(edited!.lastname).toBe('Renamed');
    expect(verifyPassword('Another-Pw-1', edited!.password_hash)).toBe(true);
  });

  it('/update refuses invalid items (nothing applied), system accounts and a wrong secret', async () => {
    const ok = { login: 'okay', firstname: 'O', lastname: 'K', group: 'user', password: CLEAR };
    const badGroup = await publish([
      { type: 'update', data: ok },
      { type: 'update', data: { ...ok, login: 'other', group: 'wizard' } },
    ]);
    expect(badGroup.status).toBe(422);
    expect(badGroup.body).toMatch(/^item 1: group/);
    expect(await udb.service.users.find('okay')).toBeUndefined();
    const badPassword = await publish([{ type: 'update', data: { ...ok, password: 'a\nb' } }]);
    expect(badPassword.status).toBe(422);
    expect(badPassword.body).not.toContain('a\nb');
    const system = await publish([{ type: 'update', data: { ...ok, login: 'daemon' } }]);
    expect([system.status, system.body]).toEqual([
      422,
      'item 0: login: "daemon" is root or a system account of this host',
    ]);
    expect(await publish([{ type: 'update', data: ok }], 'wrong')).toEqual({
      status: 403,
      body: 'Invalid token',
    });
    expect(await publish([{ type: 'update', data: ok }])).toMatchObject({ status: 200 });
    expect(await publish([{ type: 'delete', data: { login: 'okay' } }])).toMatchObject({
      status: 200,
    });
    expect(await udb.service.users.find('okay')).toBeUndefined();
  });
});
