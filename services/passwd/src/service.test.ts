import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { issueToken } from '@lanctl/auth';
import { createLogger, createMetricsRegistry, type Listening, validateConfig } from '@lanctl/core';
import { tempDir, waitFor } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUdb, type UdbHarness } from '../../udb/src/testing/harness.ts';
import { create, type PasswdService, passwdConfigSchema } from './index.ts';
import {
  check,
  cryptVerifies,
  makeHomes,
  makeTestRoot,
  resetAccountFiles,
} from './testing/root.ts';

const isRoot = process.getuid?.() === 0;

/**
 * The writer against a real udb over loopback sockets, on a test root checked by pwck and grpck.
 * Needs root: the writer chowns shadow to the `shadow` group, and `pwck -R` chroots.
 */
describe.skipIf(!isRoot)('passwd writer with a real udb (needs root: chown, pwck -R)', () => {
  let udb: UdbHarness;
  let dir: { path: string; cleanup(): Promise<void> };
  let root: string;
  let service: PasswdService;
  let listening: Listening;
  const logs: string[] = [];
  const etc = (file: string) => readFileSync(join(root, 'etc', file), 'utf8');

  function startWriter(): Promise<Listening> {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
    const config = validateConfig('test', passwdConfigSchema, {
      upstream: udb.service.syncUrl,
      token_file: '/nonexistent/passwd.token',
      root,
      state_file: join(dir.path, 'users.json'),
      listen: { port: 0 },
      reapply_seconds: 1,
    });
    const token = issueToken(udb.keys.privateKey, {
      subject: 'passwd',
      role: 'reader',
      scopes: ['users:read', 'users:hashes'],
    });
    service = create(config, {
      logger: createLogger('passwd', { stream }),
      metrics: createMetricsRegistry(),
      token: () => token,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    return service.start();
  }

  const rootToken = () => udb.keys.token('root');
  const addUser = async (body: Record<string, unknown>) => {
    const reply = await udb.call('POST', '/api/v1/users', body, rootToken());
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  };
  const managedLogins = () =>
    etc('passwd')
      .split('\n')
      .filter((l) => /^[^:]+:x:1\d{4}:/.test(l))
      .map((l) => l.split(':')[0]!);

  beforeAll(async () => {
    udb = await startUdb('sqlite');
    dir = await tempDir('lanctl-passwd-');
    root = join(dir.path, 'root');
    makeTestRoot(root);
    listening = await startWriter();
  });
  afterAll(async () => {
    await service?.stop();
    await udb?.close().catch(() => {});
    await dir?.cleanup();
  });

  it('writes udb users into passwd, shadow, group and gshadow; pwck and grpck accept them', async () => {
    await addUser({ login: 'jdoe', firstname: 'John', lastname: 'Doe', password: 'jdoe-pw-1' });
    await addUser({
      login: 'mary',
      firstname: 'Mary',
      lastname: 'Orga',
      group: 'orga',
      password: 'm-pw',
    });
    await addUser({
      login: 'rooty',
      firstname: 'Root',
      lastname: 'Y',
      group: 'root',
      password: 'r-pw',
      ssh_keys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIRootyKey rooty@laptop'],
    });
    await waitFor(
      () => ['jdoe', 'mary', 'rooty'].every((l) => managedLogins().includes(l)),
      'the three users',
      10_000,
    );
    // The seeded root account `admin` comes along (uid in the root pool).
    expect(managedLogins().sort()).toEqual(['admin', 'jdoe', 'mary', 'rooty']);
    expect(etc('passwd')).toContain('jdoe:x:10000:10000:John Doe:/home/jdoe:/bin/bash\n');
    expect(etc('passwd').startsWith('root:x:0:0:root:/root:/bin/bash\ndaemon:')).toBe(true);
    expect(etc('group')).toMatch(/^wheel:x:10:(admin,rooty|rooty,admin)$/m);
    expect(etc('group')).toMatch(/^orga:x:10001:mary,/m);
    expect(etc('group')).toContain('sudo:x:27:alice\n');
    makeHomes(root, managedLogins());
    const pwck = await check('pwck', root);
    expect(pwck.code, pwck.output).toBe(0);
    const grpck = await check('grpck', root);
    expect(grpck.code, grpck.output).toBe(0);
  });

  it('writes a sha512-crypt hash that glibc verifies against the password', async () => {
    const line = etc('shadow')
      .split('\n')
      .find((l) => l.startsWith('jdoe:'))!;
    const hash = line.split(':')[1]!;
    expect(hash).toMatch(/^\$6\$/);
    expect(await cryptVerifies('jdoe-pw-1', hash)).toBe(true);
    expect(await cryptVerifies('wrong', hash)).toBe(false);
  });

  it('gives each file its mode and owner: shadow files 0640 root:shadow', () => {
    const meta = (f: string) => {
      const st = statSync(join(root, 'etc', f));
      return [st.mode & 0o7777, st.uid, st.gid];
    };
    expect(meta('passwd')).toEqual([0o644, 0, 0]);
    expect(meta('group')).toEqual([0o644, 0, 0]);
    expect(meta('shadow')).toEqual([0o640, 0, 42]);
    expect(meta('gshadow')).toEqual([0o640, 0, 42]);
  });

  it('answers /healthz with the connection and the revision applied', async () => {
    const res = await fetch(`${listening.url}/healthz`);
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ ok: true, connected: true, last_result: expect.any(String) });
    expect(body.applied_revision).toEqual(expect.any(Number));
  });

  it('does not rewrite the files for a change of ssh keys only', async () => {
    const before = statSync(join(root, 'etc', 'passwd')).ino;
    const reply = await udb.call('PATCH', '/api/v1/users/jdoe', { ssh_keys: [] }, rootToken());
    expect(reply.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(statSync(join(root, 'etc', 'passwd')).ino).toBe(before);
  });

  it('removes a deleted user everywhere', async () => {
    const reply = await udb.call('DELETE', '/api/v1/users/mary', undefined, rootToken());
    expect(reply.status).toBeLessThan(300);
    await waitFor(() => !managedLogins().includes('mary'), 'mary gone', 10_000);
    for (const file of ['passwd', 'shadow', 'group', 'gshadow'])
      expect(etc(file)).not.toMatch(/\bmary\b/);
  });

  it('refuses to write while an existing line is unparsable, logs why, and resumes once fixed', async () => {
    const good = etc('group');
    appendFileSync(join(root, 'etc', 'group'), 'this is not a group line\n');
    await addUser({ login: 'late', firstname: 'Late', lastname: 'Comer', password: 'l-pw' });
    await waitFor(
      () => logs.some((l) => l.includes('not writing') && l.includes('group:')),
      'the refusal',
      10_000,
    );
    expect(managedLogins()).not.toContain('late');
    expect(etc('group')).toBe(`${good}this is not a group line\n`);
    const metrics = await (await fetch(`${listening.url}/metrics`)).text();
    expect(metrics).toMatch(/lanctl_passwd_refusals_total\{reason="unparsable"\} [1-9]/);
    const health = await fetch(`${listening.url}/healthz`);
    expect(health.status).toBe(503);
    writeFileSync(join(root, 'etc', 'group'), good);
    await waitFor(() => managedLogins().includes('late'), 'late, after the fix (reapply)', 10_000);
  });

  it('keeps its files when udb goes away, and a restart rebuilds them from its state file', async () => {
    const written = { passwd: etc('passwd'), shadow: etc('shadow'), group: etc('group') };
    await udb.close();
    await waitFor(() => !service.status().connected, 'the disconnection', 10_000);
    expect({ passwd: etc('passwd'), shadow: etc('shadow'), group: etc('group') }).toEqual(written);
    await service.stop();
    resetAccountFiles(root);
    listening = await startWriter();
    await waitFor(
      () => service.status().last_result !== null,
      'a render from the state file',
      10_000,
    );
    expect(service.status()).toMatchObject({ ok: false, connected: false, last_result: 'written' });
    expect(etc('passwd')).toBe(written.passwd);
    expect(etc('shadow')).toBe(written.shadow);
    expect(etc('group')).toBe(written.group);
  });
});
