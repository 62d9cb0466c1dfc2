import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_URL,
  loginFile,
  readLocalGateway,
  readStoredLogin,
  resolveConnection,
  writeStoredLogin,
} from './credentials.ts';

const dir = mkdtempSync(join(tmpdir(), 'lanctl-credentials-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const none = { url: DEFAULT_URL, token: null };
const stored = { url: 'https://gw.lan', token: 'stored' };

describe('resolveConnection', () => {
  it('prefers flags, then the environment', () => {
    const c = resolveConnection({
      flags: { url: 'http://a', token: 'flag' },
      env: { LANCTL_URL: 'http://b', LANCTL_TOKEN: 'env' },
      stored,
      local: none,
    });
    expect(c).toEqual({ url: 'http://a', token: 'flag', tokenSource: '--token' });
    const e = resolveConnection({
      flags: {},
      env: { LANCTL_URL: 'http://b', LANCTL_TOKEN: 'env' },
      stored,
      local: none,
    });
    expect(e).toEqual({ url: 'http://b', token: 'env', tokenSource: 'LANCTL_TOKEN' });
  });

  it('uses the stored login, whose token only goes to its own URL', () => {
    expect(resolveConnection({ flags: {}, env: {}, stored, local: none })).toMatchObject({
      url: 'https://gw.lan',
      token: 'stored',
    });
    expect(
      resolveConnection({ flags: { url: 'https://gw.lan/' }, env: {}, stored, local: none }).token,
    ).toBe('stored');
    expect(
      resolveConnection({ flags: { url: 'http://evil' }, env: {}, stored, local: none }).token,
    ).toBeNull();
  });

  it('falls back to the local gateway and its admin token', () => {
    const local = { url: 'http://127.0.0.1:41000', token: 'local' };
    expect(resolveConnection({ flags: {}, env: {}, stored: null, local })).toEqual({
      url: 'http://127.0.0.1:41000',
      token: 'local',
      tokenSource: './var/admin-token',
    });
    expect(
      resolveConnection({ flags: {}, env: { LANCTL_URL: 'http://other' }, stored: null, local })
        .token,
    ).toBeNull();
  });
});

describe('stored login', () => {
  const env = { XDG_CONFIG_HOME: join(dir, 'config'), HOME: join(dir, 'home') };

  it('lives under XDG_CONFIG_HOME, else ~/.config', () => {
    expect(loginFile(env)).toBe(join(dir, 'config/lanctl/token'));
    expect(loginFile({ HOME: '/home/u' })).toBe('/home/u/.config/lanctl/token');
  });

  it('is written 0600 in a 0700 directory and read back', () => {
    mkdirSync(join(dir, 'config/lanctl'), { recursive: true, mode: 0o755 });
    const file = writeStoredLogin(stored, env);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(file, '..')).mode & 0o777).toBe(0o700);
    expect(readStoredLogin(env)).toEqual(stored);
  });

  it('is null when absent and a clear error when damaged', () => {
    expect(readStoredLogin({ XDG_CONFIG_HOME: join(dir, 'nowhere') })).toBeNull();
    writeFileSync(loginFile(env), 'not json');
    expect(() => readStoredLogin(env)).toThrow(/is not a stored login: run `lanctl login` again/);
  });
});

describe('readLocalGateway', () => {
  it('reads ports.json and admin-token, or falls back to the default URL', () => {
    const data = join(dir, 'var');
    expect(readLocalGateway(data)).toEqual({ url: DEFAULT_URL, token: null });
    mkdirSync(data);
    writeFileSync(join(data, 'ports.json'), JSON.stringify({ origin: 'http://127.0.0.1:4000' }));
    writeFileSync(join(data, 'admin-token'), 'tok\n');
    expect(readLocalGateway(data)).toEqual({ url: 'http://127.0.0.1:4000', token: 'tok' });
    expect(readFileSync(join(data, 'admin-token'), 'utf8')).toBe('tok\n');
  });
});
