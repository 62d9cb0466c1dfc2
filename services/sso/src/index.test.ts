import { createLogger, createMetricsRegistry, validateConfig } from '@lanctl/core';
import { tempDir } from '@lanctl/testkit';
import { describe, expect, it } from 'vitest';
import { create, ssoConfigSchema } from './index.ts';

const config = validateConfig('sso.yml', ssoConfigSchema, { state_dir: '/nonexistent/sso' });
const deps = () => ({
  logger: createLogger('sso', { silent: true }),
  metrics: createMetricsRegistry(),
  token: () => 'token',
});

describe('create', () => {
  it('fails fast naming a missing dependency, and binds nothing', () => {
    expect(() => create(config, { ...deps(), logger: undefined as never })).toThrow(/deps.logger/);
    expect(() => create(config, { ...deps(), token: 'x' as never })).toThrow(/deps.token/);
    const service = create(config, deps());
    expect(service.lookup('10.0.0.1')).toBeUndefined();
    expect(service.health()).toMatchObject({ ok: false, degraded: true, logged_in_addresses: 0 });
    expect(service.source.ready()).toBe(false);
  });

  it('starts and stops with every upstream unreachable, answering unknown', async () => {
    const dir = await tempDir('lanctl-sso-unit-');
    try {
      const dead = 'http://127.0.0.1:9';
      const service = create(
        validateConfig('sso.yml', ssoConfigSchema, {
          listen: { port: 0 },
          mdb_upstream: dead,
          udb_upstream: dead,
          presence_upstream: dead,
          state_dir: dir.path,
          usermap: { ping: { enabled: false } },
        }),
        deps(),
      );
      const http = await service.start();
      const res = await fetch(`${http.url}/`, { headers: { 'x-real-ip': '10.0.0.1' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-sso-status')).toBe('unknown: machine 10.0.0.1 has no login');
      expect((await fetch(`${http.url}/healthz`)).status).toBe(503);
      await service.stop();
    } finally {
      await dir.cleanup();
    }
  });
});
