import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateTimeauthToken } from '@lanctl/auth';
import type { Machine } from '@lanctl/model';
import { ENGINES, openStream, type TempDir, tempDir, waitFor } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type SadmPollClient,
  sadmPublish,
  startSadmPollClient,
} from '../../../packages/sync/src/testing/sadm-client.ts';
import { toSadmMachine } from './sadm.ts';
import { type MdbHarness, startMdb } from './testing/harness.ts';

const SUB = 'mdbsync-sub-secret';
const PUB = 'mdbsync-pub-secret';

const until = (check: () => boolean, what: string) => waitFor(check, what, 10_000);

describe.each(ENGINES)('mdb SADM /poll and /update on %s', (engine) => {
  let mdb: MdbHarness;
  let dir: TempDir;
  const clients: SadmPollClient[] = [];
  const poller = () => {
    const client = startSadmPollClient(mdb.url, 'mac', SUB);
    clients.push(client);
    return client;
  };
  /** The API's machines, keyed and shaped as SADM's subscribers hold them. */
  const apiState = async () => {
    const { body } = await mdb.call('GET', '/api/v1/machines?limit=5000');
    return Object.fromEntries(
      (body.items as Machine[]).map((m) => [m.mac, { ...toSadmMachine(m) }]),
    );
  };
  const machine = async (hostname: string) => mdb.call('GET', `/api/v1/machines/${hostname}`);

  beforeAll(async () => {
    dir = await tempDir('lanctl-mdb-poll-');
    writeFileSync(join(dir.path, 'sub'), `${SUB}\n`);
    writeFileSync(join(dir.path, 'pub'), `${PUB}\n`);
    mdb = await startMdb(engine, {
      sadm: { sub_secret_file: join(dir.path, 'sub'), pub_secret_file: join(dir.path, 'pub') },
    });
  });
  afterAll(async () => {
    for (const client of clients) client.stop();
    await mdb.close();
    await dir.cleanup();
  });

  it('SADM’s blocking client follows creates, a MAC change (delete, then update) and deletes', async () => {
    await mdb.call('POST', '/api/v1/machines', { hostname: 'a1', mac: '52:54:00:00:00:01' });
    const client = poller();
    await until(() => client.messages.length === 1, 'the backlog');
    expect(client.messages[0]!.state).toEqual(await apiState());
    expect(Object.keys(client.messages[0]!.state['52:54:00:00:00:01']!)).toEqual([
      'hostname',
      'aliases',
      'ip',
      'mac',
      'rfs',
      'hfs',
      'mtype',
      'room',
      'is_faulty',
      'is_faulty_details',
    ]);

    await mdb.call('POST', '/api/v1/machines', {
      hostname: 'a2',
      mac: '52:54:00:00:00:02',
      aliases: ['web', 'www'],
    });
    await mdb.call('PATCH', '/api/v1/machines/a2', { mac: '52:54:00:00:00:03' });
    await mdb.call('DELETE', '/api/v1/machines/a1');
    const expected = await apiState();
    expect(Object.keys(expected)).toEqual(['52:54:00:00:00:03']);
    await until(
      () => JSON.stringify(client.messages.at(-1)?.state) === JSON.stringify(expected),
      'the client to converge',
    );
    expect(client.messages.at(-1)!.state['52:54:00:00:00:03']!.aliases).toBe('web,www');
    const items = client.messages.slice(1).flatMap((m) => JSON.parse(m.raw));
    const at = items.findIndex(
      (i: { type: string; data: { mac: string } }) =>
        i.type === 'delete' && i.data.mac === '52:54:00:00:00:02',
    );
    expect(items[at].data.hostname).toBe('a2');
    expect(items[at + 1]).toMatchObject({
      type: 'update',
      data: { hostname: 'a2', mac: '52:54:00:00:00:03' },
    });
    expect(client.events).toEqual([]);
  });

  it('refuses bad or expired tokens with 403 and missing arguments with 400, on both ports', async () => {
    for (const base of [mdb.url, mdb.service.syncUrl!]) {
      const get = (query: string) => fetch(`${base}/poll${query}`);
      for (const token of [
        generateTimeauthToken('wrong', null),
        generateTimeauthToken(SUB, null, Date.now() - 121_000),
        generateTimeauthToken(PUB, null),
      ]) {
        const res = await get(`?data=%7B%7D&hmac=${encodeURIComponent(token)}`);
        expect([res.status, await res.text()]).toEqual([403, 'Invalid token']);
      }
      expect((await get('?data=%7B%7D')).status).toBe(400);
      const token = encodeURIComponent(generateTimeauthToken(SUB, null));
      expect((await get(`?hmac=${token}`)).status).toBe(400);
      const ok = await get(`?data=%7B%7D&hmac=${token}`);
      expect(ok.status).toBe(200);
      await ok.body?.cancel();
    }
  });

  it('/update: a Python-signed batch creates, edits and deletes machines through the store', async () => {
    const client = poller();
    await until(() => client.messages.length === 1, 'the backlog');
    const stream = await openStream(`${mdb.url}/api/v1/sync/machines`, mdb.token('reader'));
    const sadm = {
      hostname: 'p1',
      aliases: 'p1-a, p1-b',
      ip: '',
      mac: '52:54:00:AA:00:01',
      rfs: 1,
      hfs: 2,
      mtype: 'user',
      room: 'pasteur',
      is_faulty: false,
      is_faulty_details: '',
    };
    const publish = (items: unknown[], secret = PUB) =>
      sadmPublish(mdb.url, secret, JSON.stringify(items));
    expect(await publish([{ type: 'update', data: sadm }])).toEqual({ status: 200, body: '' });
    const created = await machine('p1');
    expect(created.body).toMatchObject({
      mac: '52:54:00:aa:00:01',
      aliases: ['p1-a', 'p1-b'],
      rfs: 1,
      hfs: 2,
      room: 'pasteur',
    });
    expect(created.body.ip).toMatch(/^192\.168\.0\.\d+$/);
    await until(
      () => stream.events.some((e) => e.type === 'change' && e.data.op === 'create'),
      'the native stream to see it',
    );
    await until(() => '52:54:00:aa:00:01' in (client.messages.at(-1)?.state ?? {}), 'the client');

    // An update of a known MAC edits its fields; the IP stays unless one is given.
    const edit = { ...sadm, mac: '52:54:00:aa:00:01', room: 'alt', is_faulty: true };
    expect(await publish([{ type: 'update', data: edit }])).toMatchObject({ status: 200 });
    expect((await machine('p1')).body).toMatchObject({
      room: 'alt',
      is_faulty: true,
      ip: created.body.ip,
    });

    expect(await publish([{ type: 'update', data: sadm }], 'wrong')).toEqual({
      status: 403,
      body: 'Invalid token',
    });
    expect(await publish([{ type: 'update', data: sadm }], SUB)).toMatchObject({ status: 403 });

    // Nothing of a batch is applied when one item is invalid.
    const fresh = { ...sadm, hostname: 'p2', mac: '52:54:00:aa:00:02', aliases: '' };
    const refused = await publish([
      { type: 'update', data: fresh },
      { type: 'update', data: { mac: '52:54:00:aa:00:03', room: 'alt' } },
    ]);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatch(/^item 1: hostname/);
    expect((await machine('p2')).status).toBe(404);
    const unknownField = await publish([{ type: 'update', data: { ...fresh, owner: 'x' } }]);
    expect([unknownField.status, unknownField.body]).toEqual([422, 'item 0: owner: unknown field']);
    expect((await publish([{ type: 'upsert', data: fresh }])).status).toBe(400);

    expect(await publish([{ type: 'delete', data: edit }])).toMatchObject({ status: 200 });
    expect((await machine('p1')).status).toBe(404);
    await until(
      () => !('52:54:00:aa:00:01' in (client.messages.at(-1)?.state ?? {})),
      'the client to see the delete',
    );
    expect(client.messages.at(-1)!.state).toEqual(await apiState());
    stream.stop();
  });
});
