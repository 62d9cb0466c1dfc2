import { createServer } from 'node:net';
import { join } from 'node:path';
import { issueToken } from '@lanctl/auth';
import { createLogger, createMetricsRegistry, type Listening, validateConfig } from '@lanctl/core';
import { callJson, type TempDir, tempDir } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Backend,
  create,
  type FirewallService,
  firewallConfigSchema,
  ipsetScreen,
} from '../../services/firewall/src/index.ts';
import { type MdbHarness, startMdb } from '../../services/mdb/src/testing/harness.ts';
import type { PresenceService } from '../../services/presence/src/index.ts';
import { startPresence as startPresenceHarness } from '../../services/presence/src/testing/harness.ts';
import { startUdb, type UdbHarness } from '../../services/udb/src/testing/harness.ts';
import { until } from './gateway.ts';

/**
 * The service in-process with a recording backend (no root needed): it applies nothing while a
 * table was never received, then follows changes; a failing backend is reported and retried.
 */
let mdb: MdbHarness;
let udb: UdbHarness;
let dir: TempDir;
let presence: PresenceService | undefined;
let presencePort: number;
let firewall: FirewallService | undefined;
let http: Listening;
const calls: string[][] = [];
let failures = 0;

const backend: Backend = {
  name: 'nftables',
  target: 'inet lanctl allowed_internet',
  // SADM's ipset: a bitmap over 192.168.0.0/23 (machines elsewhere cannot be held).
  screen: ipsetScreen('bitmap:ip range 192.168.0.0/23'),
  async replace(addresses) {
    calls.push([...addresses]);
    if (failures > 0) {
      failures--;
      throw new Error('nft -f -: exit 1: Error: Could not process rule: Operation not permitted');
    }
  },
};

/** A port nothing listens on now (presence starts on it later). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function startPresence(): Promise<Listening> {
  const started = await startPresenceHarness({
    mdb,
    udb,
    stateDir: join(dir.path, 'presence'),
    listen: { port: presencePort },
    timeoutSeconds: 2,
    pastTooEarly: true,
  });
  presence = started.service;
  return started.http;
}

const view = async () =>
  (await callJson(http.url, 'GET', '/api/v1/firewall', undefined, mdb.token('reader'))).body;

beforeAll(async () => {
  [mdb, udb] = await Promise.all([startMdb('sqlite'), startUdb('sqlite')]);
  dir = await tempDir('lanctl-firewall-svc-');
  presencePort = await freePort();
  const body = { hostname: 'seat1', mac: 'aa:bb:cc:00:00:01', mtype: 'user', ip: '192.168.0.11' };
  expect((await mdb.call('POST', '/api/v1/machines', { ...body, room: 'pasteur' })).status).toBe(
    201,
  );
  const user = { login: 'alice', firstname: 'A', lastname: 'B', group: 'user' };
  expect((await udb.call('POST', '/api/v1/users', user, udb.keys.token('root'))).status).toBe(201);
  const config = validateConfig('test', firewallConfigSchema, {
    listen: { port: 0 },
    upstreams: {
      mdb: { url: mdb.service.syncUrl },
      udb: { url: udb.service.syncUrl },
      presence: { url: `http://127.0.0.1:${presencePort}` },
    },
    state_dir: join(dir.path, 'firewall'),
    retry_seconds: 1,
  });
  firewall = create(config, {
    logger: createLogger('firewall', { silent: true }),
    metrics: createMetricsRegistry(),
    token: (u) => (u === 'udb' ? udb.keys.token('reader') : mdb.token('reader')),
    publicKey: mdb.keys.publicKey,
    backend,
    backoff: { initialMs: 50, maxMs: 200 },
  });
  http = await firewall.start();
}, 60_000);

afterAll(async () => {
  await firewall?.stop();
  await presence?.stop();
  await Promise.all([mdb?.close(), udb?.close()]);
  await dir?.cleanup();
});

describe('firewall service', () => {
  it('applies nothing while presence was never received, and says so', async () => {
    await until(async () => (await view()).waiting_for.join() === 'presence', 'mdb and udb tables');
    const metrics = await (await fetch(`${http.url}/metrics`)).text();
    expect(metrics).toContain('lanctl_firewall_waiting_for{table="presence"} 1');
    expect(metrics).toContain('lanctl_firewall_waiting_for{table="machines"} 0');
    const health = await callJson(http.url, 'GET', '/healthz');
    expect(health.status).toBe(503);
    expect(health.body.waiting_for).toEqual(['presence']);
    expect(calls).toEqual([]);
    expect((await callJson(http.url, 'GET', '/api/v1/firewall')).status).toBe(401);
  });

  it('applies once every table is in, then follows logins', async () => {
    const listening = await startPresence();
    await until(() => calls.length === 1, 'the first apply');
    expect(calls[0]).toEqual([]);
    const station = issueToken(mdb.keys.privateKey, {
      subject: 'ws',
      role: 'reader',
      scopes: ['presence:write'],
    });
    const login = await callJson(
      listening.url,
      'POST',
      '/api/v1/presence/login',
      { login: 'alice', hostname: 'seat1' },
      station,
    );
    expect(login.status).toBe(200);
    await until(() => calls.at(-1)?.join() === '192.168.0.11', 'alice’s machine allowed');
    expect((await view()).addresses).toEqual([
      { ip: '192.168.0.11', reason: 'login alice on seat1' },
    ]);
    expect((await callJson(http.url, 'GET', '/healthz')).status).toBe(200);
  });

  it('a failing backend is reported, counted and retried', async () => {
    failures = 1;
    const off = await mdb.call('PUT', '/api/v1/settings/contest_mode', { value: true });
    expect(off.status).toBe(200);
    await until(async () => (await view()).last_apply.result === 'failure', 'the failure');
    const health = await callJson(http.url, 'GET', '/healthz');
    expect(health.status).toBe(503);
    expect(health.body.last_apply.error).toMatch(/Operation not permitted/);
    await until(async () => (await view()).last_apply.result === 'success', 'the retry');
    expect(calls.slice(-2)).toEqual([[], []]);
    expect((await view()).contest_mode).toBe(true);
    const metrics = await (await fetch(`${http.url}/metrics`)).text();
    expect(metrics).toContain('lanctl_firewall_applies_total{result="failure",trigger="change"} 1');
    expect(metrics).toContain('lanctl_firewall_applies_total{result="success",trigger="retry"} 1');
  });

  it('an address the set cannot hold is left out, shown and counted once; the others applied', async () => {
    // Starting state (previous test): contest mode on, so alice's seat is not allowed.
    expect((await view()).contest_mode).toBe(true);
    for (const [hostname, ip, n] of [
      ['orgaout', '192.168.2.10', 2],
      ['orgain', '192.168.0.21', 3],
    ] as const) {
      const machine = { hostname, mac: `aa:bb:cc:00:00:0${n}`, mtype: 'orga', ip, room: 'pasteur' };
      const r = await mdb.call('POST', '/api/v1/machines', machine);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    await until(() => calls.at(-1)?.join() === '192.168.0.21', 'the in-range orga machine applied');
    const body = await view();
    expect(body.addresses).toEqual([{ ip: '192.168.0.21', reason: 'orga machine orgain' }]);
    expect(body.skipped).toEqual([
      {
        ip: '192.168.2.10',
        reason: 'orga machine orgaout',
        skip_reason: 'out_of_range',
        detail: "outside the bitmap set's range 192.168.0.0-192.168.1.255",
      },
    ]);
    expect(body.last_apply.result).toBe('success');
    // Another change re-screens the same address: still counted once.
    expect((await mdb.call('PUT', '/api/v1/settings/contest_mode', { value: false })).status).toBe(
      200,
    );
    await until(() => calls.at(-1)?.join() === '192.168.0.11,192.168.0.21', 'alice back online');
    const metrics = await (await fetch(`${http.url}/metrics`)).text();
    expect(metrics).toContain('lanctl_firewall_addresses_skipped_total{reason="out_of_range"} 1');
    expect(metrics).toContain('lanctl_firewall_skipped_addresses 1');
    expect(calls.flat()).not.toContain('192.168.2.10');
  });
});
