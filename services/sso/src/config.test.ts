import { ConfigError, validateConfig } from '@lanctl/core';
import { describe, expect, it } from 'vitest';
import { ssoConfigSchema } from './config.ts';

const parse = (raw: unknown) => validateConfig('sso.yml', ssoConfigSchema, raw);

describe('ssoConfigSchema', () => {
  it('has SADM’s port on loopback and the local upstreams by default', () => {
    const config = parse({});
    expect(config.listen).toEqual({ host: '127.0.0.1', port: 20131 });
    expect(config.mdb_upstream).toBe('http://127.0.0.1:20010');
    expect(config.udb_upstream).toBe('http://127.0.0.1:20090');
    expect(config.presence_upstream).toBe('http://127.0.0.1:20060');
    expect(config.overrides).toEqual({});
  });

  it('lower-cases override host names', () => {
    expect(parse({ overrides: { 'Kiosk-1': 'kiosk' } }).overrides).toEqual({ 'kiosk-1': 'kiosk' });
  });

  it.each([
    [{ overrides: { 'bad host': 'kiosk' } }, 'overrides.bad host'],
    [{ overrides: { kiosk: 'Not A Login' } }, 'overrides.kiosk'],
    [{ overrides: { Kiosk: 'a', kiosk: 'b' } }, 'is given twice'],
    [{ state_dir: 'relative' }, 'state_dir'],
    [{ presence_upstream: 'ftp://x' }, 'presence_upstream'],
    [{ listen: { port: 70000 } }, 'listen.port'],
    [{ nope: 1 }, 'nope'],
  ])('refuses %j, naming the field', (raw, field) => {
    expect(() => parse(raw)).toThrow(ConfigError);
    expect(() => parse(raw)).toThrow(field);
  });
});
