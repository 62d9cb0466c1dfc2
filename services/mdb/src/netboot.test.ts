import { issueToken } from '@lanctl/auth';
import { tableDigest } from '@lanctl/db';
import { readChanges } from '@lanctl/sync';
import { callJson, ENGINES, openStream, waitFor } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MDB_DIGEST_TABLES } from './schema.ts';
import { type MdbHarness, startMdb } from './testing/harness.ts';

const mac = (n: number) =>
  `52:54:00:10:${(n >> 8).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`;
const RFS = { name: 'lab-rfs', kind: 'rfs', kernel: 'vmlinuz', initrds: ['initrd.img'] };

describe.each(ENGINES)('mdb netboot data on %s', (engine) => {
  let mdb: MdbHarness;
  let netboot: string;
  const digest = () => tableDigest(mdb.service.database, MDB_DIGEST_TABLES);
  const register = (body: unknown, token: string | null = netboot) =>
    callJson(mdb.url, 'POST', '/api/v1/registrations', body, token);
  const openRegistration = () =>
    mdb.call('PUT', '/api/v1/settings/allow_self_registration', {
      value: true,
      duration_seconds: 600,
    });
  beforeAll(async () => {
    mdb = await startMdb(engine);
    netboot = issueToken(mdb.keys.privateKey, {
      subject: 'netboot',
      role: 'reader',
      scopes: ['read', 'machines:register'],
    });
  });
  afterAll(() => mdb.close());

  it('seeds SADM profiles and serves boot profiles as a change-logged, streamed collection', async () => {
    const list = await mdb.call('GET', '/api/v1/boot-profiles', undefined, 'reader');
    expect(list.body.items.map((p: { name: string }) => p.name)).toEqual([
      'contestant',
      'local-disk',
    ]);
    expect(list.body.items[0]).toMatchObject({
      kind: 'rfs',
      kernel: 'vmlinuz-linux',
      initrds: ['initramfs-linux.img'],
      mtypes: ['user', 'orga'],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: iPXE settings
      cmdline: expect.stringContaining('ip=${ip}:${next-server}'),
    });
    const created = await mdb.call('POST', '/api/v1/boot-profiles', { ...RFS, rooms: ['alt'] });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ...RFS, cmdline: '', mtypes: [], rooms: ['alt'] });
    const patched = await mdb.call('PATCH', '/api/v1/boot-profiles/lab-rfs', { cmdline: 'quiet' });
    expect(patched.body).toMatchObject({ cmdline: 'quiet', kernel: 'vmlinuz' });
    const entries = await readChanges(mdb.service.database.db, { after: 0, limit: 100000 });
    const mine = entries.filter((e) => e.table === 'boot_profiles').map((e) => e.op);
    expect(mine).toEqual(['create', 'create', 'create', 'update']);

    const stream = await openStream(`${mdb.url}/api/v1/sync/boot_profiles`, mdb.token('reader'));
    expect(stream.status).toBe(200);
    await waitFor(() => stream.events.length >= 1, 'the boot_profiles snapshot');
    const snapshot = stream.events[0]!;
    if (snapshot.type !== 'snapshot') throw new Error('expected a snapshot first');
    const names = snapshot.data.items.map((i) => (i.record as { name: string }).name).sort();
    expect(names).toEqual(['contestant', 'lab-rfs', 'local-disk']);
    stream.stop();
    const doc = await callJson(mdb.url, 'GET', '/api/v1/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/boot-profiles/{name}',
        '/api/v1/rooms/{name}/expected',
        '/api/v1/registrations',
        '/api/v1/registrations/suggestion',
        '/api/v1/machines/import',
      ]),
    );
  });

  it('refuses bad profiles naming the field, and changes nothing', async () => {
    const before = await digest();
    const cases: [string, string, unknown, number, string][] = [
      [
        'POST',
        '/api/v1/boot-profiles',
        { name: 'x', kind: 'http', kernel: 'vmlinuz' },
        400,
        'kernel',
      ],
      ['POST', '/api/v1/boot-profiles', { ...RFS, name: 'y', mtypes: ['nope'] }, 422, 'mtypes[0]'],
      ['PATCH', '/api/v1/boot-profiles/lab-rfs', { kind: 'http' }, 422, 'kernel'],
      ['PATCH', '/api/v1/boot-profiles/lab-rfs', { cmdline: 'a && b' }, 400, 'cmdline'],
      [
        'POST',
        '/api/v1/machines',
        { hostname: 'bp1', mac: mac(1), boot_profile: 'nope' },
        422,
        'boot_profile',
      ],
    ];
    for (const [method, path, body, status, field] of cases) {
      const r = await mdb.call(method, path, body);
      expect(r.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(status);
      expect(r.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
    expect((await mdb.call('POST', '/api/v1/boot-profiles', RFS, 'orga')).status).toBe(403);
    expect(await digest()).toEqual(before);
  });

  it('keeps a machine override, and refuses to delete a profile or room still referenced', async () => {
    const m = await mdb.call('POST', '/api/v1/machines', {
      hostname: 'bp2',
      mac: mac(2),
      boot_profile: 'lab-rfs',
    });
    expect(m.body.boot_profile).toBe('lab-rfs');
    const del = await mdb.call('DELETE', '/api/v1/boot-profiles/lab-rfs');
    expect(del.status).toBe(409);
    expect(del.body.error).toMatchObject({
      code: 'in_use',
      message: expect.stringContaining('"bp2"'),
    });
    expect(
      (await mdb.call('PATCH', '/api/v1/machines/bp2', { boot_profile: null })).body.boot_profile,
    ).toBeNull();
    expect((await mdb.call('DELETE', '/api/v1/rooms/alt')).body.error.message).toContain(
      'boot profile "lab-rfs"',
    );
    expect((await mdb.call('DELETE', '/api/v1/boot-profiles/lab-rfs')).status).toBe(200);
    await mdb.call('DELETE', '/api/v1/machines/bp2');
  });

  it('validates room patterns on the merged room', async () => {
    const room = await mdb.call('POST', '/api/v1/rooms', {
      name: 'hall',
      hostname_pattern: 'hall-r{row:02}p{seat:02}',
      seats_per_row: 3,
    });
    expect(room.body).toEqual({
      name: 'hall',
      description: '',
      hostname_pattern: 'hall-r{row:02}p{seat:02}',
      seats_per_row: 3,
    });
    const unset = await mdb.call('PATCH', '/api/v1/rooms/hall', { seats_per_row: null });
    expect(unset.status).toBe(422);
    expect(unset.body.error.details[0].field).toBe('seats_per_row');
    const bad = await mdb.call('POST', '/api/v1/rooms', { name: 'h2', hostname_pattern: 'H{n}' });
    expect(bad.body.error.details[0].field).toBe('hostname_pattern');
    // A room's expect list goes with it.
    await mdb.call('POST', '/api/v1/rooms', { name: 'tmp' });
    await mdb.call('PUT', '/api/v1/rooms/tmp/expected', { hostnames: ['tmp1'] });
    expect((await mdb.call('DELETE', '/api/v1/rooms/tmp')).status).toBe(200);
    expect(
      (await mdb.call('PUT', '/api/v1/rooms/hall/expected', { hostnames: ['tmp1'] })).status,
    ).toBe(200);
    await mdb.call('PUT', '/api/v1/rooms/hall/expected', { hostnames: [] });
  });

  it('keeps expect lists: validated by index, consumed in order by registrations, then the pattern', async () => {
    await mdb.call('POST', '/api/v1/switches', {
      name: 'sw-hall',
      chassis: '00:11:22:33:44:99',
      room: 'hall',
      rfs: 2,
      hfs: 3,
    });
    await mdb.call('POST', '/api/v1/machines', { hostname: 'taken1', mac: mac(10) });
    const before = await digest();
    const refused: [unknown, number, string][] = [
      [{ hostnames: ['ok1', 'Bad_Name'] }, 422, 'hostnames[1]'],
      [{ hostnames: ['ok1', 'ok2', 'ok1'] }, 422, 'hostnames[2]'],
      [{ hostnames: ['ok1', 'taken1'] }, 409, 'hostnames[1]'],
    ];
    for (const [body, status, field] of refused) {
      const r = await mdb.call('PUT', '/api/v1/rooms/hall/expected', body);
      expect(r.status).toBe(status);
      expect(r.body.error.details[0].field).toBe(field);
    }
    expect(await digest()).toEqual(before);
    const set = await mdb.call('PUT', '/api/v1/rooms/hall/expected', {
      hostnames: ['Kiosk-B', 'kiosk-a'],
    });
    expect(set.body).toEqual({ room: 'hall', hostnames: ['kiosk-b', 'kiosk-a'] });
    const other = await mdb.call('PUT', '/api/v1/rooms/pasteur/expected', {
      hostnames: ['kiosk-a'],
    });
    expect(other.status).toBe(409);

    const suggestion = await mdb.call(
      'GET',
      '/api/v1/registrations/suggestion?room=hall',
      undefined,
      'reader',
    );
    expect(suggestion.body).toEqual({
      room: 'hall',
      hostname: 'kiosk-b',
      source: 'expected',
      rfs: 2,
      hfs: 3,
    });

    // Closed: 403 registration_closed and nothing written.
    const closedBefore = await digest();
    const closed = await register({ mac: mac(20), room: 'hall', mtype: 'user' });
    expect(closed.status).toBe(403);
    expect(closed.body.error.code).toBe('registration_closed');
    expect(await digest()).toEqual(closedBefore);

    await openRegistration();
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await register({ mac: mac(21 + i), room: 'hall', mtype: 'user' });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({
        room: 'hall',
        rfs: 2,
        hfs: 3,
        ip: expect.stringMatching(/^192\.168\.0\./),
      });
      names.push(r.body.hostname);
    }
    expect(names).toEqual(['kiosk-b', 'kiosk-a', 'hall-r01p01']);
    expect((await mdb.call('GET', '/api/v1/rooms/hall/expected')).body.hostnames).toEqual([]);
    // A name created any other way leaves the list too.
    await mdb.call('PUT', '/api/v1/rooms/hall/expected', { hostnames: ['kiosk-c', 'kiosk-d'] });
    await mdb.call('POST', '/api/v1/machines', { hostname: 'kiosk-c', mac: mac(30) });
    expect((await mdb.call('GET', '/api/v1/rooms/hall/expected')).body.hostnames).toEqual([
      'kiosk-d',
    ]);
    await mdb.call('PUT', '/api/v1/rooms/hall/expected', { hostnames: [] });
    expect((await register({ mac: mac(31), room: 'hall', mtype: 'user' })).body.hostname).toBe(
      'hall-r01p02',
    );
  });

  it('refuses duplicates, unknown rooms and unauthorized callers, and counts registrations', async () => {
    const dupMac = await register({
      mac: mac(21),
      room: 'hall',
      mtype: 'user',
      hostname: 'fresh1',
    });
    expect(dupMac.status).toBe(409);
    expect(dupMac.body.error.details[0].field).toBe('mac');
    const dupName = await register({
      mac: mac(40),
      room: 'hall',
      mtype: 'user',
      hostname: 'kiosk-b',
    });
    expect(dupName.body.error.details[0].field).toBe('hostname');
    expect((await register({ mac: mac(41), room: 'moon', mtype: 'user' })).status).toBe(422);
    expect(
      (await register({ mac: mac(42), room: 'other', mtype: 'user' })).body.error.details[0].field,
    ).toBe('hostname');
    expect(
      (await register({ mac: mac(43), room: 'hall', mtype: 'user' }, mdb.token('reader'))).status,
    ).toBe(403);
    expect(
      (await register({ mac: mac(44), room: 'hall', mtype: 'user' }, mdb.token('orga'))).status,
    ).toBe(403);
    expect(
      (await register({ mac: mac(45), room: 'hall', mtype: 'user' }, mdb.token('root'))).status,
    ).toBe(201);
    const text = await (await fetch(`${mdb.url}/metrics`)).text();
    expect(text).toContain('lanctl_mdb_registrations_total{via="api",result="created"} 5');
    expect(text).toContain('lanctl_mdb_registrations_total{via="api",result="closed"} 1');
    expect(text).toContain('lanctl_mdb_registrations_total{via="api",result="conflict"} 2');
  });

  it('imports all or nothing, with every row error, and dry runs write nothing', async () => {
    const rows = [
      { hostname: 'imp1', mac: mac(100), room: 'pasteur', mtype: 'user' },
      { hostname: 'imp2', mac: mac(101), boot_profile: 'local-disk', mtype: 'service' },
      { hostname: 'imp3', mac: mac(102), ip: '192.168.0.250', aliases: ['imp3-a'] },
    ];
    const before = await digest();
    const bad = await mdb.call('POST', '/api/v1/machines/import', {
      rows: [...rows, { hostname: 'imp1', mac: 'zz' }, { hostname: 'taken1', mac: mac(103) }],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details).toEqual([{ row: 4, field: 'mac', message: expect.any(String) }]);
    const late = await mdb.call('POST', '/api/v1/machines/import', {
      rows: [
        ...rows,
        { hostname: 'imp1', mac: mac(104) },
        { hostname: 'taken1', mac: mac(105) },
        { hostname: 'imp6', mac: mac(106), mtype: 'nope' },
      ],
    });
    expect(late.status).toBe(422);
    expect(
      late.body.error.details.map((d: { row: number; field: string }) => `${d.row}:${d.field}`),
    ).toEqual(['4:hostname', '5:hostname', '6:mtype']);
    const dry = await mdb.call('POST', '/api/v1/machines/import', { rows, dry_run: true });
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({ dry_run: true, created: 3 });
    expect(await digest()).toEqual(before);

    const real = await mdb.call('POST', '/api/v1/machines/import', { rows });
    expect(real.status).toBe(201);
    expect(real.body.results.map((r: { ip: string }) => r.ip)).toEqual(
      dry.body.results.map((r: { ip: string }) => r.ip),
    );
    expect((await mdb.call('GET', '/api/v1/machines/imp2')).body).toMatchObject({
      boot_profile: 'local-disk',
      ip: expect.stringMatching(/^192\.168\.1\./),
    });
    expect((await mdb.call('POST', '/api/v1/machines/import', { rows: [] })).status).toBe(400);
  });
});
