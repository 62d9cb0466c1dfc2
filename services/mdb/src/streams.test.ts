import { issueToken } from '@lanctl/auth';
import { ENGINES, openStream, waitFor } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MdbHarness, startMdb } from './testing/harness.ts';

const until = (check: () => boolean, what: string) => waitFor(check, what);

describe.each(ENGINES)('mdb change streams on %s', (engine) => {
  let mdb: MdbHarness;
  beforeAll(async () => {
    mdb = await startMdb(engine);
  });
  afterAll(() => mdb.close());

  it('sends a snapshot, then every change with its revision as the event id, and resumes exactly', async () => {
    await mdb.call('POST', '/api/v1/machines', { hostname: 'a1', mac: '52:54:00:00:00:01' });
    // The stream follows the log asynchronously: a snapshot shows a write once the hub has read it.
    await until(() => mdb.service.hub.view('machines').size === 1, 'the hub to read the write');
    const url = `${mdb.url}/api/v1/sync/machines`;
    const stream = await openStream(url, mdb.token('reader'));
    expect(stream.status).toBe(200);
    await until(() => stream.events.length >= 1, 'the snapshot');
    const snapshot = stream.events[0]!;
    expect(snapshot.type).toBe('snapshot');
    if (snapshot.type !== 'snapshot') return;
    expect(snapshot.data.reset).toBe(false);
    expect(snapshot.data.items.map((i) => (i.record as { hostname: string }).hostname)).toEqual([
      'a1',
    ]);

    await mdb.call('POST', '/api/v1/machines', { hostname: 'a2', mac: '52:54:00:00:00:02' });
    await mdb.call('PATCH', '/api/v1/machines/a2', { mac: '52:54:00:00:00:03' });
    await mdb.call('POST', '/api/v1/switches', { name: 'sw1', chassis: '00:11:22:33:44:55' });
    await mdb.call('DELETE', '/api/v1/machines/a1');
    await until(() => stream.events.length >= 4, 'four changes');
    const changes = stream.events
      .slice(1)
      .map((e) =>
        e.type === 'change' ? [e.data.op, (e.data.record as { hostname: string }).hostname] : null,
      );
    expect(changes).toEqual([
      ['create', 'a2'],
      ['update', 'a2'],
      ['delete', 'a1'],
    ]);
    const revisions = stream.events.slice(1).map((e) => e.data.revision);
    expect(revisions).toEqual([...revisions].sort((a, b) => a - b));
    stream.stop();

    // Resuming after the first change gets exactly the two later ones, no snapshot.
    const resumed = await openStream(url, mdb.token('reader'), revisions[0]);
    await until(() => resumed.events.length >= 2, 'the missed changes');
    await new Promise((r) => setTimeout(r, 100));
    expect(resumed.events.map((e) => [e.type, e.data.revision])).toEqual([
      ['change', revisions[1]],
      ['change', revisions[2]],
    ]);
    resumed.stop();
  });

  it('streams settings by key: the snapshot, then contest mode turned on', async () => {
    const url = `${mdb.url}/api/v1/sync/settings`;
    const stream = await openStream(url, mdb.token('reader'));
    await until(() => stream.events.length >= 1, 'the settings snapshot');
    const before = stream.events.length;
    const on = await mdb.call('PUT', '/api/v1/settings/contest_mode', { value: true });
    expect(on.body).toEqual({ key: 'contest_mode', value: true });
    await until(() => stream.events.length > before, 'the contest mode change');
    const change = stream.events.at(-1)!;
    expect(change.type === 'change' && [change.data.op, change.data.record]).toEqual([
      'update',
      { key: 'contest_mode', value: true },
    ]);
    stream.stop();
    // A new subscriber's snapshot has it, keyed by name.
    const again = await openStream(url, mdb.token('reader'));
    await until(() => again.events.length >= 1, 'a second snapshot');
    const snapshot = again.events[0]!;
    expect(snapshot.type === 'snapshot' && snapshot.data.items).toEqual([
      { id: 'contest_mode', record: { key: 'contest_mode', value: true } },
    ]);
    again.stop();
    const bad = await mdb.call('PUT', '/api/v1/settings/contest_mode', {
      value: true,
      duration_seconds: 60,
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('duration_seconds');
  });

  it("ends a stream when its token expires: a web page's session does not outlive its login", async () => {
    const token = issueToken(mdb.keys.privateKey, {
      subject: 'olga',
      role: 'orga',
      kind: 'user',
      ttlSeconds: 1,
    });
    const stream = await openStream(`${mdb.url}/api/v1/sync/machines`, token);
    expect(stream.status).toBe(200);
    await until(() => stream.events.length >= 1, 'the snapshot');
    await stream.ended;
    expect((await openStream(`${mdb.url}/api/v1/sync/machines`, token)).status).toBe(401);
  });

  it('refuses anonymous and contestant subscribers, and unknown tables', async () => {
    expect((await openStream(`${mdb.url}/api/v1/sync/machines`, null)).status).toBe(401);
    expect(
      (await openStream(`${mdb.url}/api/v1/sync/machines`, mdb.keys.userToken('kid', 'user')))
        .status,
    ).toBe(403);
    expect((await openStream(`${mdb.url}/api/v1/sync/nothing`, mdb.token('root'))).status).toBe(
      404,
    );
  });
});
