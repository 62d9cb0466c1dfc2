import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINES } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUdb, type UdbHarness } from './testing/harness.ts';

describe.each(ENGINES)('udb on %s', (engine) => {
  let udb: UdbHarness;
  let root: string;
  beforeAll(async () => {
    udb = await startUdb(engine);
    root = udb.keys.token('root');
  });
  afterAll(() => udb.close());

  it('creates the root admin on first start, password in a 0600 file, and logs it in', async () => {
    expect(statSync(join(udb.dir, 'initial-admin-password')).mode & 0o777).toBe(0o600);
    const login = await udb.call('POST', '/api/v1/auth/login', {
      login: 'admin',
      password: udb.adminPassword,
    });
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ login: 'admin', group: 'root', uid: 12000 });
    expect(login.headers.get('set-cookie')).toMatch(
      /^lanctl_token=lanctl1\..+; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/,
    );
    const me = await udb.call('GET', '/api/v1/users/admin', undefined, login.body.token);
    expect(me.body.login).toBe('admin');
    expect(JSON.stringify(me.body)).not.toContain('$6$');
  });

  it('creates users with the lowest free uid of their group, a generated password shown once, and a usable $6$ hash', async () => {
    const created = await udb.call(
      'POST',
      '/api/v1/users',
      { login: 'jdoe', firstname: 'John', lastname: 'Doe' },
      root,
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      login: 'jdoe',
      group: 'user',
      uid: 10000,
      shell: '/bin/bash',
      ssh_keys: [],
    });
    expect(created.body.password).toMatch(/^[A-Za-z0-9]{8}$/);
    const orga = await udb.call(
      'POST',
      '/api/v1/users',
      { login: 'orga1', firstname: 'O', lastname: 'One', group: 'orga', password: 'p4ss word é' },
      root,
    );
    expect(orga.body).toMatchObject({ uid: 11000, group: 'orga' });
    expect(orga.body.password).toBeUndefined();
    const ok = await udb.call('POST', '/api/v1/auth/login', {
      login: 'jdoe',
      password: created.body.password,
    });
    expect(ok.status).toBe(200);
    const bad = await udb.call('POST', '/api/v1/auth/login', { login: 'jdoe', password: 'nope' });
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('invalid_credentials');
    const unknown = await udb.call('POST', '/api/v1/auth/login', {
      login: 'ghost',
      password: 'nope',
    });
    expect(unknown.body.error.message).toBe(bad.body.error.message);
    const row = await udb.service.users.find('orga1');
    expect(row!.password_hash).toMatch(/^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
  });

  it('refuses reserved, system and malformed logins, and duplicates', async () => {
    for (const login of ['root', 'daemon', 'nobody']) {
      const r = await udb.call(
        'POST',
        '/api/v1/users',
        { login, firstname: 'A', lastname: 'B' },
        root,
      );
      expect(r.status, login).toBe(422);
    }
    expect(
      (
        await udb.call(
          'POST',
          '/api/v1/users',
          { login: 'alice', firstname: 'A', lastname: 'B' },
          root,
        )
      ).status,
    ).toBe(201);
    for (const login of ['1abc', 'Abc', 'a-b', 'a'.repeat(32), '']) {
      const r = await udb.call(
        'POST',
        '/api/v1/users',
        { login, firstname: 'A', lastname: 'B' },
        root,
      );
      expect(r.status, login).toBe(400);
      expect(r.body.error.details[0].field).toBe('login');
    }
    const dup = await udb.call(
      'POST',
      '/api/v1/users',
      { login: 'jdoe', firstname: 'A', lastname: 'B' },
      root,
    );
    expect(dup.status).toBe(409);
    const uid = await udb.call(
      'POST',
      '/api/v1/users',
      { login: 'x1', firstname: 'A', lastname: 'B', uid: 11500 },
      root,
    );
    expect(uid.status).toBe(422);
  });

  it('lets a contestant read only their own record and change only their own password', async () => {
    const created = await udb.call(
      'POST',
      '/api/v1/users',
      { login: 'kid', firstname: 'K', lastname: 'Id' },
      root,
    );
    const session = await udb.call('POST', '/api/v1/auth/login', {
      login: 'kid',
      password: created.body.password,
    });
    const token = session.body.token;
    expect((await udb.call('GET', '/api/v1/users/kid', undefined, token)).status).toBe(200);
    expect((await udb.call('GET', '/api/v1/users/jdoe', undefined, token)).status).toBe(403);
    expect((await udb.call('GET', '/api/v1/users', undefined, token)).status).toBe(403);
    expect((await udb.call('PATCH', '/api/v1/users/kid', { firstname: 'X' }, token)).status).toBe(
      403,
    );
    const wrong = await udb.call(
      'POST',
      '/api/v1/users/kid/password',
      { current_password: 'bad', password: 'newpass1' },
      token,
    );
    expect(wrong.status).toBe(403);
    const changed = await udb.call(
      'POST',
      '/api/v1/users/kid/password',
      { current_password: created.body.password, password: 'newpass1' },
      token,
    );
    expect(changed.status).toBe(200);
    expect(
      (await udb.call('POST', '/api/v1/auth/login', { login: 'kid', password: 'newpass1' })).status,
    ).toBe(200);
    expect((await udb.call('POST', '/api/v1/users/jdoe/password', {}, token)).status).toBe(403);
  });

  it('lets an organizer manage contestants and organizers but never roots', async () => {
    const orga = udb.keys.userToken('orga1', 'orga');
    const made = await udb.call(
      'POST',
      '/api/v1/users',
      { login: 'c2', firstname: 'C', lastname: 'Two' },
      orga,
    );
    expect(made.status).toBe(201);
    expect(
      (
        await udb.call(
          'POST',
          '/api/v1/users',
          { login: 'r2', firstname: 'R', lastname: 'Two', group: 'root' },
          orga,
        )
      ).status,
    ).toBe(403);
    expect((await udb.call('PATCH', '/api/v1/users/c2', { group: 'root' }, orga)).status).toBe(403);
    expect(
      (await udb.call('PATCH', '/api/v1/users/admin', { firstname: 'Evil' }, orga)).status,
    ).toBe(403);
    expect((await udb.call('POST', '/api/v1/users/admin/password', {}, orga)).status).toBe(403);
    expect((await udb.call('DELETE', '/api/v1/users/admin', undefined, orga)).status).toBe(403);
    const reset = await udb.call('POST', '/api/v1/users/c2/password', {}, orga);
    expect(reset.body.password).toMatch(/^[A-Za-z0-9]{8}$/);
    expect(
      (await udb.call('POST', '/api/v1/auth/login', { login: 'c2', password: reset.body.password }))
        .status,
    ).toBe(200);
    expect(
      (await udb.call('POST', '/api/v1/auth/login', { login: 'c2', password: made.body.password }))
        .status,
    ).toBe(401);
    expect((await udb.call('DELETE', '/api/v1/users/c2', undefined, orga)).status).toBe(200);
  });

  it('never deletes or demotes the last root', async () => {
    expect((await udb.call('DELETE', '/api/v1/users/admin', undefined, root)).body.error.code).toBe(
      'last_root',
    );
    expect((await udb.call('PATCH', '/api/v1/users/admin', { group: 'orga' }, root)).status).toBe(
      409,
    );
  });

  it('rate-limits failed logins per login', async () => {
    await udb.call(
      'POST',
      '/api/v1/users',
      { login: 'victim', firstname: 'V', lastname: 'V', password: 'right-one' },
      root,
    );
    for (let i = 0; i < 5; i++) {
      expect(
        (await udb.call('POST', '/api/v1/auth/login', { login: 'victim', password: `wrong${i}` }))
          .status,
      ).toBe(401);
    }
    const limited = await udb.call('POST', '/api/v1/auth/login', {
      login: 'victim',
      password: 'right-one',
    });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('accepts the session cookie for reads, and for writes only from its own origin', async () => {
    const session = await udb.call('POST', '/api/v1/auth/login', {
      login: 'admin',
      password: udb.adminPassword,
    });
    const cookie = session.headers.get('set-cookie')!.split(';')[0]!;
    const host = new URL(udb.url).host;
    const read = await fetch(`${udb.url}/api/v1/users/admin`, { headers: { cookie } });
    expect(read.status).toBe(200);
    const body = JSON.stringify({ login: 'viacookie', firstname: 'V', lastname: 'C' });
    const headers = { cookie, 'content-type': 'application/json' };
    expect((await fetch(`${udb.url}/api/v1/users`, { method: 'POST', headers, body })).status).toBe(
      403,
    );
    const foreign = { ...headers, origin: 'http://evil.example' };
    expect(
      (await fetch(`${udb.url}/api/v1/users`, { method: 'POST', headers: foreign, body })).status,
    ).toBe(403);
    const same = { ...headers, origin: `http://${host}` };
    expect(
      (await fetch(`${udb.url}/api/v1/users`, { method: 'POST', headers: same, body })).status,
    ).toBe(201);
  });

  it('lists with search, group filter and pagination', async () => {
    const all = await udb.call('GET', '/api/v1/users?limit=2', undefined, root);
    expect(all.body.items).toHaveLength(2);
    expect(all.body.next).toBe(all.body.items[1].login);
    const orgas = await udb.call(
      'GET',
      '/api/v1/users?group=orga',
      undefined,
      udb.keys.token('reader'),
    );
    expect(orgas.body.items.map((u: { login: string }) => u.login)).toEqual(['orga1']);
    const found = await udb.call('GET', '/api/v1/users?q=DOE', undefined, root);
    expect(found.body.items.map((u: { login: string }) => u.login)).toEqual(['jdoe']);
  });
});

describe.each(ENGINES)('udb bulk import on %s', (engine) => {
  let udb: UdbHarness;
  let root: string;
  beforeAll(async () => {
    udb = await startUdb(engine);
    root = udb.keys.token('root');
  });
  afterAll(() => udb.close());

  const csv = [
    'firstname,lastname,login,password',
    'Jean-Pierre,De La Tour,,',
    'Marie,Curie,,',
    'Marie,Curie,,',
    'Ada,Lovelace,ada,Secret-1',
    'Bad,Row,root,',
    'Évariste,Galois,,',
  ].join('\n');

  it('plans without writing on a dry run, then imports with per-row results and passwords shown once', async () => {
    const before = await udb.call('GET', '/api/v1/users', undefined, root);
    const dry = await udb.call(
      'POST',
      '/api/v1/users/import',
      { format: 'csv', data: csv, dry_run: true },
      root,
    );
    expect(dry.status).toBe(200);
    expect(
      dry.body.results.map((r: { login: string; status: string }) => [r.login, r.status]),
    ).toEqual([
      ['jpdelatour', 'would_create'],
      ['mcurie', 'would_create'],
      ['mcurie1', 'would_create'],
      ['ada', 'would_create'],
      ['root', 'error'],
      ['egalois', 'would_create'],
    ]);
    expect(JSON.stringify(dry.body)).not.toMatch(/"password"/);
    expect((await udb.call('GET', '/api/v1/users', undefined, root)).body).toEqual(before.body);

    const real = await udb.call('POST', '/api/v1/users/import', { format: 'csv', data: csv }, root);
    expect(real.body.summary).toMatchObject({ created: 5, error: 1 });
    const created = real.body.results.filter((r: { status: string }) => r.status === 'created');
    expect(created.find((r: { login: string }) => r.login === 'ada').password).toBeUndefined();
    for (const r of created.filter((x: { login: string }) => x.login !== 'ada')) {
      expect(r.password).toMatch(/^[A-Za-z0-9]{8}$/);
      expect(
        (await udb.call('POST', '/api/v1/auth/login', { login: r.login, password: r.password }))
          .status,
      ).toBe(200);
    }
    expect(
      (await udb.call('POST', '/api/v1/auth/login', { login: 'ada', password: 'Secret-1' })).status,
    ).toBe(200);
    const galois = await udb.call('GET', '/api/v1/users/egalois', undefined, root);
    expect(galois.body).toMatchObject({ firstname: 'Évariste', lastname: 'Galois', group: 'user' });
  });

  it('re-imports with update or ignore, and refuses existing logins by default', async () => {
    const again = await udb.call(
      'POST',
      '/api/v1/users/import',
      { format: 'tsv', data: 'firstname\tlastname\tlogin\nAda\tByron\tada' },
      root,
    );
    expect(again.body.results[0]).toMatchObject({ login: 'ada', status: 'error' });
    const ignored = await udb.call(
      'POST',
      '/api/v1/users/import',
      { format: 'tsv', data: 'firstname\tlastname\tlogin\nAda\tByron\tada', mode: 'ignore' },
      root,
    );
    expect(ignored.body.results[0].status).toBe('skipped');
    const updated = await udb.call(
      'POST',
      '/api/v1/users/import',
      { format: 'tsv', data: 'firstname\tlastname\tlogin\nAda\tByron\tada', mode: 'update' },
      root,
    );
    expect(updated.body.results[0]).toEqual({
      row: 1,
      login: 'ada',
      firstname: 'Ada',
      lastname: 'Byron',
      status: 'updated',
    });
    expect((await udb.call('GET', '/api/v1/users/ada', undefined, root)).body.lastname).toBe(
      'Byron',
    );
    expect(
      (await udb.call('POST', '/api/v1/auth/login', { login: 'ada', password: 'Secret-1' })).status,
    ).toBe(200);
  });

  it('refuses an organizer importing roots, row by row', async () => {
    const orga = udb.keys.userToken('someorga', 'orga');
    const r = await udb.call(
      'POST',
      '/api/v1/users/import',
      { format: 'tsv', data: 'firstname\tlastname\tlogin\nBig\tBoss\tboss', group: 'root' },
      orga,
    );
    expect(r.body.results[0].status).toBe('error');
    expect((await udb.call('GET', '/api/v1/users/boss', undefined, root)).status).toBe(404);
  });

  it('renders printable HTML and SADM TSV sheets, escaped', async () => {
    const entries = [
      { login: 'ada', firstname: 'Ada <b>', lastname: 'Byron', password: 'Xy3pQr7t' },
    ];
    const html = await udb.call('POST', '/api/v1/users/sheets', { entries }, root);
    expect(html.headers.get('content-type')).toContain('text/html');
    expect(html.body.replace(/<[^>]+>/g, '')).toContain('Xy3pQr7t');
    expect(html.body).toContain('Ada &lt;b&gt;');
    expect(html.body).toContain('@media print');
    const tsv = await udb.call('POST', '/api/v1/users/sheets', { entries, format: 'tsv' }, root);
    expect(tsv.body).toBe('Ada <b> Byron\tada\tXy3pQr7t\n');
    expect(
      (await udb.call('POST', '/api/v1/users/sheets', { entries }, udb.keys.token('reader')))
        .status,
    ).toBe(403);
  });
});
