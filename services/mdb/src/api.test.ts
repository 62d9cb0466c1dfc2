import { readChanges } from '@lanctl/sync';
import { ENGINES } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MdbHarness, startMdb } from './testing/harness.ts';

const mac = (n: number) =>
  `52:54:00:00:${((n >> 8) & 255).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`;

describe.each(ENGINES)('mdb API on %s', (engine) => {
  let mdb: MdbHarness;
  beforeAll(async () => {
    mdb = await startMdb(engine);
  });
  afterAll(() => mdb.close());

  it('creates, reads, edits and deletes a machine, normalizing its MAC', async () => {
    const created = await mdb.call('POST', '/api/v1/machines', {
      hostname: 'Pas-R01P01',
      mac: 'AA-BB-CC-00-00-01',
      mtype: 'user',
      room: 'pasteur',
      aliases: ['seat1'],
      uuid: '4C4C4544-0042-3510-8052-B4C04F4E4D32',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      hostname: 'pas-r01p01',
      mac: 'aa:bb:cc:00:00:01',
      ip: '192.168.0.1',
      aliases: ['seat1'],
      uuid: '4c4c4544-0042-3510-8052-b4c04f4e4d32',
      rfs: 0,
      hfs: 0,
      is_faulty: false,
    });
    const got = await mdb.call('GET', '/api/v1/machines/pas-r01p01');
    expect(got.body).toEqual(created.body);

    const edited = await mdb.call('PATCH', '/api/v1/machines/pas-r01p01', {
      hostname: 'pas-r01p02',
      mac: 'aabb.cc00.00ff',
      is_faulty: true,
      is_faulty_details: 'broken keyboard',
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({
      hostname: 'pas-r01p02',
      mac: 'aa:bb:cc:00:00:ff',
      is_faulty: true,
      ip: '192.168.0.1',
    });
    expect((await mdb.call('GET', '/api/v1/machines/pas-r01p01')).status).toBe(404);
    expect(
      (await mdb.call('GET', '/api/v1/machines?faulty=true')).body.items.map(
        (m: any) => m.hostname,
      ),
    ).toEqual(['pas-r01p02']);

    const deleted = await mdb.call('DELETE', '/api/v1/machines/pas-r01p02');
    expect(deleted.status).toBe(200);
    expect((await mdb.call('GET', '/api/v1/machines/pas-r01p02')).status).toBe(404);
    // The old names are free again.
    expect(
      (await mdb.call('POST', '/api/v1/machines', { hostname: 'seat1', mac: mac(900) })).status,
    ).toBe(201);
    await mdb.call('DELETE', '/api/v1/machines/seat1');
  });

  it('allocates the lowest free address, reuses freed ones and skips reserved ones', async () => {
    await mdb.call('POST', '/api/v1/pools', {
      name: 'lab',
      network: '10.5.0.0/29',
      reserved: ['10.5.0.2'],
    });
    await mdb.call('POST', '/api/v1/machine-types', { name: 'lab', pool: 'lab' });
    const ips: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await mdb.call('POST', '/api/v1/machines', {
        hostname: `lab${i}`,
        mac: mac(100 + i),
        mtype: 'lab',
      });
      expect(r.status).toBe(201);
      ips.push(r.body.ip);
    }
    // /29: hosts .1-.6, .2 reserved, so five machines fill it.
    expect(ips).toEqual(['10.5.0.1', '10.5.0.3', '10.5.0.4', '10.5.0.5', '10.5.0.6']);
    const full = await mdb.call('POST', '/api/v1/machines', {
      hostname: 'lab9',
      mac: mac(109),
      mtype: 'lab',
    });
    expect(full.status).toBe(409);
    expect(full.body.error.code).toBe('pool_exhausted');

    await mdb.call('DELETE', '/api/v1/machines/lab2');
    const reused = await mdb.call('POST', '/api/v1/machines', {
      hostname: 'lab9',
      mac: mac(109),
      mtype: 'lab',
    });
    expect(reused.body.ip).toBe('10.5.0.4');

    const pool = await mdb.call('GET', '/api/v1/pools/lab');
    expect(pool.body).toMatchObject({ network: '10.5.0.0/29', mtypes: ['lab'], used: 5, size: 5 });

    // Explicit addresses: reserved ones are allowed (that is what reserving is for), network/broadcast never.
    await mdb.call('DELETE', '/api/v1/machines/lab0');
    expect(
      (
        await mdb.call('POST', '/api/v1/machines', {
          hostname: 'labgw',
          mac: mac(120),
          mtype: 'lab',
          ip: '10.5.0.7',
        })
      ).status,
    ).toBe(422);
    expect(
      (
        await mdb.call('POST', '/api/v1/machines', {
          hostname: 'labgw',
          mac: mac(120),
          mtype: 'lab',
          ip: '10.5.0.1',
        })
      ).body.ip,
    ).toBe('10.5.0.1');
    const taken = await mdb.call('POST', '/api/v1/machines', {
      hostname: 'labgw2',
      mac: mac(121),
      mtype: 'lab',
      ip: '10.5.0.1',
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error.message).toContain('labgw');

    // Growing the network keeps every machine; shrinking it below a machine is refused.
    expect((await mdb.call('PATCH', '/api/v1/pools/lab', { network: '10.5.0.0/28' })).status).toBe(
      200,
    );
    expect(
      (
        await mdb.call('POST', '/api/v1/machines', {
          hostname: 'lab10',
          mac: mac(110),
          mtype: 'lab',
        })
      ).body.ip,
    ).toBe('10.5.0.7');
    const shrink = await mdb.call('PATCH', '/api/v1/pools/lab', { network: '10.5.0.0/30' });
    expect(shrink.status).toBe(409);
    const overlap = await mdb.call('POST', '/api/v1/pools', {
      name: 'other',
      network: '10.5.0.8/29',
    });
    expect(overlap.status).toBe(409);
    expect(overlap.body.error.message).toContain('lab');
    // A pool in use by a type cannot be deleted.
    expect((await mdb.call('DELETE', '/api/v1/pools/lab')).status).toBe(409);
  });

  it('orga shares the user pool and a type change moves the machine to its new pool', async () => {
    const orga = await mdb.call('POST', '/api/v1/machines', {
      hostname: 'orga1',
      mac: mac(200),
      mtype: 'orga',
    });
    const user = await mdb.call('POST', '/api/v1/machines', {
      hostname: 'user1',
      mac: mac(201),
      mtype: 'user',
    });
    expect(orga.body.ip).toMatch(/^192\.168\.0\./);
    expect(user.body.ip).toMatch(/^192\.168\.0\./);
    expect(orga.body.ip).not.toBe(user.body.ip);
    const moved = await mdb.call('PATCH', '/api/v1/machines/user1', { mtype: 'service' });
    expect(moved.body.ip).toMatch(/^192\.168\.1\./);
    const back = await mdb.call('PATCH', '/api/v1/machines/user1', { mtype: 'user' });
    expect(back.body.ip).toBe(user.body.ip);
    const explicit = await mdb.call('PATCH', '/api/v1/machines/user1', { ip: '192.168.0.200' });
    expect(explicit.body.ip).toBe('192.168.0.200');
    const again = await mdb.call('PATCH', '/api/v1/machines/user1', { ip: null });
    expect(again.body.ip).toBe(user.body.ip);
  });

  it('keeps hostnames and aliases unique across each other', async () => {
    await mdb.call('POST', '/api/v1/machines', {
      hostname: 'gw',
      mac: mac(300),
      mtype: 'service',
      aliases: ['mdb', 'ns'],
    });
    const clash = await mdb.call('POST', '/api/v1/machines', {
      hostname: 'web',
      mac: mac(301),
      aliases: ['ns'],
    });
    expect(clash.status).toBe(409);
    expect(clash.body.error.details[0]).toMatchObject({
      field: 'aliases',
      existing: { hostname: 'gw' },
    });
    const self = await mdb.call('POST', '/api/v1/machines', {
      hostname: 'web',
      mac: mac(301),
      aliases: ['web'],
    });
    expect(self.status).toBe(422);
    // A machine may keep its own names when edited.
    const keep = await mdb.call('PATCH', '/api/v1/machines/gw', { aliases: ['mdb', 'ns', 'udb'] });
    expect(keep.body.aliases).toEqual(['mdb', 'ns', 'udb']);
    const rename = await mdb.call('PATCH', '/api/v1/machines/gw', { hostname: 'udb' });
    expect(rename.status).toBe(422);
  });

  it('lists with filters, search and pagination', async () => {
    for (let i = 0; i < 7; i++) {
      await mdb.call('POST', '/api/v1/machines', {
        hostname: `alt-r01p0${i}`,
        mac: mac(400 + i),
        mtype: 'user',
        room: 'alt',
      });
    }
    const pages: string[][] = [];
    let after: string | null = '';
    while (after !== null) {
      const r = await mdb.call(
        'GET',
        `/api/v1/machines?room=alt&limit=3${after ? `&after=${after}` : ''}`,
      );
      pages.push(r.body.items.map((m: any) => m.hostname));
      after = r.body.next;
    }
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat()).toEqual([...pages.flat()].sort());
    expect(
      (await mdb.call('GET', '/api/v1/machines?q=R01P03')).body.items.map((m: any) => m.hostname),
    ).toEqual(['alt-r01p03']);
    expect(
      (await mdb.call('GET', `/api/v1/machines?mac=${mac(404).toUpperCase().replace(/:/g, '-')}`))
        .body.items[0].hostname,
    ).toBe('alt-r01p04');
    expect((await mdb.call('GET', '/api/v1/machines?q=100%25')).body.items).toEqual([]);
    expect((await mdb.call('GET', '/api/v1/machines?mtype=cluster')).body.items).toEqual([]);
  });

  it('manages rooms, machine types and switches as data', async () => {
    expect((await mdb.call('GET', '/api/v1/rooms')).body.items.map((r: any) => r.name)).toEqual([
      'alt',
      'cluster',
      'other',
      'pasteur',
    ]);
    expect(
      (await mdb.call('POST', '/api/v1/rooms', { name: 'turing', description: 'Turing hall' }))
        .status,
    ).toBe(201);
    const sw = await mdb.call('POST', '/api/v1/switches', {
      name: 'sw-turing',
      chassis: '00-11-22-33-44-55',
      room: 'turing',
      rfs: 1,
      hfs: 2,
    });
    expect(sw.body).toEqual({
      name: 'sw-turing',
      chassis: '00:11:22:33:44:55',
      room: 'turing',
      rfs: 1,
      hfs: 2,
    });
    expect(
      (await mdb.call('POST', '/api/v1/switches', { name: 'sw2', chassis: '00:11:22:33:44:55' }))
        .status,
    ).toBe(409);
    expect(
      (
        await mdb.call('POST', '/api/v1/switches', {
          name: 'sw2',
          chassis: '00:11:22:33:44:56',
          room: 'nowhere',
        })
      ).status,
    ).toBe(422);
    expect((await mdb.call('DELETE', '/api/v1/rooms/turing')).status).toBe(409);
    expect((await mdb.call('PATCH', '/api/v1/switches/sw-turing', { room: 'alt' })).body.room).toBe(
      'alt',
    );
    expect((await mdb.call('DELETE', '/api/v1/rooms/turing')).status).toBe(200);
    expect(
      (await mdb.call('POST', '/api/v1/machine-types', { name: 'kiosk', pool: 'nopool' })).status,
    ).toBe(422);
    expect((await mdb.call('POST', '/api/v1/machine-types', { name: 'kiosk' })).body).toEqual({
      name: 'kiosk',
      description: '',
      pool: null,
    });
    const noPool = await mdb.call('POST', '/api/v1/machines', {
      hostname: 'kiosk1',
      mac: mac(500),
      mtype: 'kiosk',
    });
    expect(noPool.status).toBe(422);
    expect(noPool.body.error.message).toContain('explicit ip');
  });

  it('turns self-registration on only with an expiry, and off by itself when it passes', async () => {
    expect((await mdb.call('GET', '/api/v1/settings/allow_self_registration')).body).toEqual({
      key: 'allow_self_registration',
      value: false,
      enabled_until: null,
    });
    const start = new Date('2026-11-22T08:00:00Z');
    mdb.setNow(start);
    const on = await mdb.call('PUT', '/api/v1/settings/allow_self_registration', {
      value: true,
      duration_seconds: 3600,
    });
    expect(on.body).toEqual({
      key: 'allow_self_registration',
      value: true,
      enabled_until: '2026-11-22T09:00:00.000Z',
    });
    mdb.setNow(new Date('2026-11-22T09:00:01Z'));
    expect((await mdb.call('GET', '/api/v1/settings/allow_self_registration')).body.value).toBe(
      false,
    );
    mdb.setNow(new Date());
    expect((await mdb.call('GET', '/api/v1/settings/nope')).status).toBe(404);
  });

  it('records every write in the change log, in order, with an immutable id', async () => {
    const head = (await readChanges(mdb.service.database.db, { after: 0, limit: 100000 })).at(
      -1,
    )!.revision;
    await mdb.call('POST', '/api/v1/machines', { hostname: 'log1', mac: mac(600) });
    await mdb.call('PATCH', '/api/v1/machines/log1', {
      hostname: 'log2',
      mac: mac(601),
      ip: '192.168.0.250',
    });
    await mdb.call('PATCH', '/api/v1/machines/log2', { rfs: 0 }); // no change: no entry
    await mdb.call('DELETE', '/api/v1/machines/log2');
    await mdb.call('POST', '/api/v1/rooms', { name: 'logroom' });
    const entries = await readChanges(mdb.service.database.db, { after: head });
    expect(entries.map((e) => [e.revision - head, e.table, e.op])).toEqual([
      [1, 'machines', 'create'],
      [2, 'machines', 'update'],
      [3, 'machines', 'delete'],
      [4, 'rooms', 'create'],
    ]);
    expect(new Set(entries.slice(0, 3).map((e) => e.entity_id)).size).toBe(1);
    expect(entries[1]!.record).toMatchObject({
      hostname: 'log2',
      mac: mac(601),
      ip: '192.168.0.250',
    });
  });

  it('requires a token to read unless configured, and the root role to write', async () => {
    expect((await mdb.call('GET', '/api/v1/machines', undefined, null)).status).toBe(401);
    expect((await mdb.call('GET', '/api/v1/machines', undefined, 'reader')).status).toBe(200);
    expect((await mdb.call('POST', '/api/v1/rooms', { name: 'x1' }, 'orga')).status).toBe(403);
    expect((await mdb.call('GET', '/api/v1/auth/whoami', undefined, 'orga')).body).toMatchObject({
      subject: 'test-orga',
      role: 'orga',
    });
    const doc = await mdb.call('GET', '/api/v1/openapi.json', undefined, null);
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toContain('/api/v1/machines/{hostname}');
  });
});

describe('mdb with public_read', () => {
  it('serves reads without a token but still guards writes', async () => {
    const mdb = await startMdb('sqlite', { auth: { public_read: true } });
    try {
      expect((await mdb.call('GET', '/api/v1/machines', undefined, null)).status).toBe(200);
      expect((await mdb.call('POST', '/api/v1/rooms', { name: 'x1' }, null)).status).toBe(401);
    } finally {
      await mdb.close();
    }
  });
});

describe('mdb metrics', () => {
  it('exposes HTTP counters and pool gauges', async () => {
    const mdb = await startMdb('sqlite');
    try {
      await mdb.call('POST', '/api/v1/machines', {
        hostname: 'm1',
        mac: '52:54:00:00:09:01',
        mtype: 'user',
      });
      const text = await (await fetch(`${mdb.url}/metrics`)).text();
      expect(text).toContain(
        'lanctl_mdb_http_requests_total{method="POST",route="/api/v1/machines/",status="201"} 1',
      );
      expect(text).toContain('lanctl_mdb_pool_used_addresses{pool="user"} 1');
      expect(text).toContain('lanctl_mdb_pool_size_addresses{pool="user"} 254');
      expect(text).toMatch(/lanctl_mdb_machines 1\n/);
    } finally {
      await mdb.close();
    }
  });
});

describe('mdb partial updates of name-keyed tables', () => {
  it('changes only the fields a PATCH names, and refuses a rename onto an existing name', async () => {
    const mdb = await startMdb('sqlite');
    try {
      await mdb.call('POST', '/api/v1/switches', {
        name: 'sw1',
        chassis: '00:11:22:33:44:01',
        room: 'alt',
        rfs: 2,
        hfs: 3,
      });
      await mdb.call('POST', '/api/v1/switches', { name: 'sw2', chassis: '00:11:22:33:44:02' });
      const patched = await mdb.call('PATCH', '/api/v1/switches/sw1', { hfs: 4 });
      expect(patched.body).toEqual({
        name: 'sw1',
        chassis: '00:11:22:33:44:01',
        room: 'alt',
        rfs: 2,
        hfs: 4,
      });
      expect((await mdb.call('PATCH', '/api/v1/switches/sw1', { name: 'sw2' })).status).toBe(409);
      expect((await mdb.call('PATCH', '/api/v1/switches/sw1', { name: 'sw3' })).body.name).toBe(
        'sw3',
      );
      expect((await mdb.call('PATCH', '/api/v1/rooms/alt', {})).status).toBe(200);
      const inUse = await mdb.call('DELETE', '/api/v1/rooms/alt');
      expect(inUse.status).toBe(409);
      expect(inUse.body.error).toMatchObject({
        code: 'in_use',
        message: 'room "alt" is still used by switch "sw3"',
      });
    } finally {
      await mdb.close();
    }
  });
});

describe('mdb pools', () => {
  it('refuses to delete a pool that still holds a machine, and a PATCH that changes nothing writes nothing', async () => {
    const mdb = await startMdb('sqlite');
    try {
      await mdb.call('POST', '/api/v1/pools', { name: 'lab', network: '10.5.0.0/24' });
      await mdb.call('POST', '/api/v1/machines', {
        hostname: 'm1',
        mac: '02:00:00:00:00:11',
        ip: '10.5.0.7',
      });
      const refused = await mdb.call('DELETE', '/api/v1/pools/lab');
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toContain('"m1"');
      const head = await readChanges(mdb.service.database.db, { after: 0, limit: 100000 });
      expect(
        (await mdb.call('PATCH', '/api/v1/pools/lab', { network: '10.5.0.0/24' })).status,
      ).toBe(200);
      expect(await readChanges(mdb.service.database.db, { after: head.at(-1)!.revision })).toEqual(
        [],
      );
      const grown = await mdb.call('PATCH', '/api/v1/pools/lab', {
        reserved: ['10.5.0.1-10.5.0.9'],
      });
      expect(grown.body).toMatchObject({
        network: '10.5.0.0/24',
        reserved: ['10.5.0.1-10.5.0.9'],
        size: 245,
      });
    } finally {
      await mdb.close();
    }
  });
});
