import { existsSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createMdbClient, createUdbClient } from '@lanctl/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliHarness, startCliHarness } from '../testing/harness.ts';

let h: CliHarness;
beforeAll(async () => {
  h = await startCliHarness();
});
afterAll(() => h?.stop());

const mode = (path: string) => statSync(path).mode & 0o777;
const claims = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
    iat: number;
    exp: number;
    scopes: string[];
  };

describe('lanctl login, whoami, logout', () => {
  it('stores the checked token (read from stdin) in a 0600 file later commands use', async () => {
    const login = await h.lanctl(`login --url ${h.url}`, { input: `${h.adminToken}\n` });
    expect(login).toMatchObject({ code: 0, stderr: '' });
    expect(login.stdout).toMatch(/^logged in to http:\/\/127\.0\.0\.1:\d+ as admin \(role root/);
    const file = join(h.dir, 'home/.config/lanctl/token');
    expect(mode(file)).toBe(0o600);
    expect(mode(join(file, '..'))).toBe(0o700);

    const [me, plain] = await Promise.all([h.lanctl('whoami --json'), h.lanctl('whoami')]);
    expect(JSON.parse(me.stdout)).toMatchObject({ subject: 'admin', role: 'root' });
    expect(plain.stdout).toContain('(token from stored login)');

    expect((await h.lanctl('logout')).stdout).toBe(`removed ${file}\n`);
    const after = await h.lanctl(`machine list --url ${h.url}`);
    expect(after).toMatchObject({
      code: 1,
      stderr: `lanctl: no API token for ${h.url}: run \`lanctl login --url ${h.url}\` (or pass --token, or set LANCTL_TOKEN)\n`,
    });
  });

  it('refuses a bad token without storing it', async () => {
    const result = await h.lanctl(`login --url ${h.url} --token lanctl1.nope.nope`);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^lanctl: invalid token: [^\n]*run `lanctl login`[^\n]*\n$/);
    expect((await h.lanctl(`whoami --url ${h.url}`)).stderr).toMatch(/no API token/);
  });

  it('finds a token in ./var, LANCTL_URL/LANCTL_TOKEN, and explains an unreachable URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const dead = `http://127.0.0.1:${(closed.address() as { port: number }).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const [local, env, unreachable] = await Promise.all([
      h.lanctl('whoami', { cwd: h.dir }),
      h.lanctl('whoami', { env: { LANCTL_URL: h.url, LANCTL_TOKEN: h.adminToken } }),
      h.lanctl(`whoami --url ${dead} --token x`),
    ]);
    expect(local.stdout).toBe(
      `admin (role root, service token) at ${h.url} (token from ./var/admin-token)\n`,
    );
    expect(env.stdout).toContain('(token from LANCTL_TOKEN)');
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(
      new RegExp(`^lanctl: cannot reach mdb at ${dead}: .*ECONNREFUSED.*\\n$`),
    );
  });
});

describe('lanctl login LOGIN (a person, with a password)', () => {
  it('logs in as the initial admin with the password on stdin and stores the session', async () => {
    const file = join(h.dir, 'home/.config/lanctl/token');
    const login = await h.lanctl(`login admin --url ${h.url} --password-stdin`, {
      input: `${h.adminPassword}\n`,
    });
    expect(login).toMatchObject({ code: 0, stderr: '' });
    expect(login.stdout).toMatch(
      new RegExp(
        `^logged in to ${h.url} as admin \\(role root, user token until [\\dT:.-]+Z\\); token stored in ${file}\\n$`,
      ),
    );
    expect(mode(file)).toBe(0o600);
    const [me, users] = await Promise.all([h.lanctl('whoami'), h.lanctl('user list --json')]);
    expect(me.stdout).toBe(`admin (role root, user token) at ${h.url} (token from stored login)\n`);
    expect(JSON.parse(users.stdout).map((u: { login: string }) => u.login)).toContain('admin');

    const again = await h.lanctl(`login --login admin --url ${h.url} --password-stdin`, {
      input: `${h.adminPassword}\n`,
    });
    expect(again.code).toBe(0);
    await h.lanctl('logout');
  });

  it('says a wrong password, the rate limit and a missing terminal in one line', async () => {
    const ghost = createUdbClient({ baseUrl: h.url });
    for (let i = 0; i < 5; i++) await ghost.login('ghost', 'nope').catch(() => {});
    const [wrong, limited, noTty, both] = await Promise.all([
      h.lanctl(`login admin --url ${h.url} --password-stdin`, { input: 'not-it\n' }),
      h.lanctl(`login ghost --url ${h.url} --password-stdin`, { input: 'nope\n' }),
      h.lanctl(`login admin --url ${h.url}`),
      h.lanctl(`login admin --url ${h.url} --token x`),
    ]);
    expect(wrong).toMatchObject({
      code: 1,
      stderr: `lanctl: wrong login or password for admin at ${h.url}\n`,
    });
    expect(limited.code).toBe(1);
    expect(limited.stderr).toMatch(
      /^lanctl: too many failed logins for ghost: try again in \d+[ms]\w*\n$/,
    );
    expect(noTty).toMatchObject({
      code: 2,
      stderr: 'lanctl: no terminal to ask for the password on: pass --password-stdin\n',
    });
    expect(both.code).toBe(2);
    expect(existsSync(join(h.dir, 'home/.config/lanctl/token'))).toBe(false);
  });
});

describe('lanctl token create', () => {
  it('prints only a token that works against the API with its role', async () => {
    const reader = await h.lanctl(`token create --name dash --role reader --data ${h.dataDir}`);
    expect(reader).toMatchObject({ code: 0, stderr: '' });
    expect(reader.stdout).toMatch(/^lanctl1\.[\w-]+\.[\w-]+\n$/);
    const token = reader.stdout.trim();
    const me = await createMdbClient({ baseUrl: h.url, token }).whoami();
    expect(me).toMatchObject({ subject: 'dash', role: 'reader', kind: 'service' });
    expect(claims(token).exp - claims(token).iat).toBe(365 * 86400);

    const as = `--url ${h.url} --token ${token}`;
    const [read, write] = await Promise.all([
      h.lanctl(`machine list ${as}`),
      h.lanctl(`room add lab ${as}`),
    ]);
    expect(read.code).toBe(0);
    expect(write).toMatchObject({ code: 1, stderr: 'lanctl: role reader may not do this\n' });
  });

  it('takes the key by --key, honours --ttl, and creates a missing key pair', async () => {
    const key = join(h.dataDir, 'token-signing.key');
    const fresh = join(h.dir, 'newkeys');
    const [root, made] = await Promise.all([
      h.lanctl(`token create --name ops --role root --key ${key} --ttl 1h`),
      h.lanctl(`token create --name x --role orga --data ${fresh}`),
    ]);
    const token = root.stdout.trim();
    expect(claims(token).exp - claims(token).iat).toBe(3600);
    expect((await createMdbClient({ baseUrl: h.url, token }).whoami()).role).toBe('root');
    expect(made.code).toBe(0);
    expect(made.stderr).toMatch(/^lanctl: note: created a new signing key pair/);
    expect(mode(join(fresh, 'token-signing.key'))).toBe(0o600);
  });

  it('binds a workstation token to its machines, with no scope of the role', async () => {
    const [ws, bad] = await Promise.all([
      h.lanctl(`token create --name ws1 --role reader --host pas-r01p01 --data ${h.dataDir}`),
      h.lanctl(['token', 'create', '--name', 'w', '--role', 'reader', '--host', 'a b']),
    ]);
    expect(claims(ws.stdout.trim()).scopes).toEqual(['presence:host:pas-r01p01']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^lanctl: option '--host <hostname...>' argument 'a b' is invalid/);
  });

  it('rejects a bad role or name as usage errors', async () => {
    const [role, name] = await Promise.all([
      h.lanctl(`token create --name x --role god --data ${h.dataDir}`),
      h.lanctl(['token', 'create', '--name', 'a b', '--role', 'reader', '--data', h.dataDir]),
    ]);
    expect(role.code).toBe(2);
    expect(role.stderr).toMatch(/^lanctl: option '--role <role>' argument 'god' is invalid/);
    expect(name).toMatchObject({ code: 2, stdout: '' });
  });
});
