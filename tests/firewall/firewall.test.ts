import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueToken } from '@lanctl/auth';
import type { Listening } from '@lanctl/core';
import { type TempDir, type TestLan, tempDir } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MdbHarness, startMdb } from '../../services/mdb/src/testing/harness.ts';
import type { PresenceService } from '../../services/presence/src/index.ts';
import { startPresence as startPresenceHarness } from '../../services/presence/src/testing/harness.ts';
import { startUdb, type UdbHarness } from '../../services/udb/src/testing/harness.ts';
import {
  type Gateway,
  INTERNET_IP,
  type OpenConnection,
  openConnection,
  reaches,
  setUpGateway,
  spawnFirewall,
  until,
} from './gateway.ts';

/**
 * The firewall in a router namespace between clients and an "internet" namespace, with the
 * gateway ruleset of install/firewall.nft, following a real mdb, udb and presence:
 *
 *   seat1 192.168.0.11  ┐                                   ┌ internet 203.0.113.2:8080
 *   orgapc 192.168.0.21 ┴─ br0 [router: nft, firewall] inet0┘
 *                        uplink ── test process (mdb, udb, presence)
 *
 * The tests form one scenario and run in file order (vitest's default within a file); each one
 * first checks the state it starts from with `expectStartingState` (what the previous one left),
 * so a failure points at the test that broke the chain:
 *   1. firewall not yet running, nobody logged in, contest mode off → running, alice on seat1;
 *   2. running, alice on seat1, contest mode off → the same (an open connection cut, then new ones);
 *   3. running, set = seat1 + orgapc → the same (a manual flush repaired);
 *   4. running, set = seat1 + orgapc, presence up → presence down, set kept;
 *   5. presence down, state files written → restarted with every upstream down, set re-applied.
 */
const SEAT = '192.168.0.11';
const ORGA = '192.168.0.21';
const PORT = 20150;

let gw: Gateway;
let lan: TestLan;
let mdb: MdbHarness;
let udb: UdbHarness;
let presence: PresenceService | undefined;
let presenceHttp: Listening;
let dir: TempDir;
let station: string;
let firewall: ReturnType<typeof spawnFirewall> | undefined;
let connection: OpenConnection | undefined;

const seat = () => lan.clients[0]!;
const orga = () => lan.clients[1]!;
const api = () => `http://${lan.uplink.ns}:${PORT}`;

async function startPresence(): Promise<void> {
  const started = await startPresenceHarness({
    mdb,
    udb,
    stateDir: join(dir.path, 'presence-state'),
    listen: { host: lan.uplink.host, port: 0 },
    timeoutSeconds: 2,
    pastTooEarly: true,
  });
  presence = started.service;
  presenceHttp = started.http;
}

async function presenceCall(path: string, body: unknown) {
  const res = await fetch(`${presenceHttp.url}/api/v1/presence/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${station}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return res.status;
}

async function firewallView(): Promise<any> {
  const res = await fetch(`${api()}/api/v1/firewall`, {
    headers: { authorization: `Bearer ${mdb.token('reader')}` },
    signal: AbortSignal.timeout(5000),
  });
  return res.json();
}

async function health(): Promise<any> {
  const res = await fetch(`${api()}/healthz`, { signal: AbortSignal.timeout(5000) });
  return res.json();
}

async function metric(name: string, labels = ''): Promise<number> {
  const text = await (
    await fetch(`${api()}/metrics`, { signal: AbortSignal.timeout(5000) })
  ).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return Number(line?.split(' ')[1] ?? Number.NaN);
}

/** The state a test starts from (the previous test's end state), checked rather than assumed. */
async function expectStartingState(state: {
  firewall: 'stopped' | 'running';
  contestMode?: boolean;
  set?: string[];
  presence: 'up' | 'down';
}): Promise<void> {
  const what = `starting state ${JSON.stringify(state)}`;
  expect(presence !== undefined, `${what}: presence`).toBe(state.presence === 'up');
  if (state.firewall === 'stopped') {
    expect(firewall, `${what}: firewall`).toBeUndefined();
    return;
  }
  const view = await firewallView();
  if (state.contestMode !== undefined)
    expect(view.contest_mode, `${what}: contest mode`).toBe(state.contestMode);
  if (state.set) expect(gw.setElements(), `${what}: set`).toEqual([...state.set].sort());
}

function writeConfig(): string {
  const tokens = {
    mdb: join(dir.path, 'mdb.token'),
    udb: join(dir.path, 'udb.token'),
    presence: join(dir.path, 'presence.token'),
  };
  writeFileSync(tokens.mdb, mdb.token('reader'));
  writeFileSync(tokens.udb, udb.keys.token('reader'));
  writeFileSync(tokens.presence, mdb.token('reader'));
  const config = {
    listen: { host: '0.0.0.0', port: PORT },
    upstreams: {
      mdb: { url: mdb.service.syncUrl, token_file: tokens.mdb },
      udb: { url: udb.service.syncUrl, token_file: tokens.udb },
      presence: { url: presenceHttp.url, token_file: tokens.presence },
    },
    state_dir: join(dir.path, 'firewall-state'),
    backend: 'nftables',
    reassert_seconds: 5,
    retry_seconds: 1,
    auth: { public_key_file: mdb.keys.files.publicKeyFile },
  };
  const file = join(dir.path, 'firewall.yml');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

beforeAll(async () => {
  dir = await tempDir('lanctl-firewall-');
  gw = setUpGateway({ clients: [SEAT, ORGA] });
  lan = gw.lan;
  const extra = { listen: { host: lan.uplink.host, port: 0 } };
  [mdb, udb] = await Promise.all([startMdb('sqlite', extra), startUdb('sqlite', extra)]);
  station = issueToken(mdb.keys.privateKey, {
    subject: 'workstation',
    role: 'reader',
    scopes: ['presence:write'],
  });
  for (const [hostname, mtype, ip, n] of [
    ['seat1', 'user', SEAT, 1],
    ['orgapc', 'orga', ORGA, 2],
  ] as const) {
    const mac = `aa:bb:cc:00:00:0${n}`;
    const r = await mdb.call('POST', '/api/v1/machines', {
      hostname,
      mac,
      mtype,
      ip,
      room: 'pasteur',
    });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
  for (const [login, group] of [
    ['alice', 'user'],
    ['olga', 'orga'],
  ] as const) {
    const body = { login, firstname: 'A', lastname: 'B', group };
    const r = await udb.call('POST', '/api/v1/users', body, udb.keys.token('root'));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
  await startPresence();
}, 60_000);

afterAll(async () => {
  await connection?.close();
  await firewall?.kill();
  // FIREWALL_TEST_LOG=1: print the service's log (debug level) after the run.
  if (process.env.FIREWALL_TEST_LOG) console.log(firewall?.output());
  await presence?.stop();
  await Promise.all([mdb?.close(), udb?.close()]);
  await gw?.close();
  await dir?.cleanup();
}, 30_000);

describe('firewall in network namespaces (nftables)', () => {
  it('lets only allowed machines reach the internet, following logins and contest mode', async () => {
    await expectStartingState({ firewall: 'stopped', presence: 'up' });
    expect(reaches(lan, seat(), INTERNET_IP)).toBe(false); // nothing applied yet: policy drop
    firewall = spawnFirewall(lan, writeConfig());
    await until(
      async () => (await health().catch(() => null))?.ok === true,
      'firewall healthy',
      () => firewall!.output(),
    );
    await until(() => reaches(lan, orga(), INTERNET_IP), 'the orga machine online');
    expect(reaches(lan, seat(), INTERNET_IP)).toBe(false);

    expect(await presenceCall('login', { login: 'alice', hostname: 'seat1' })).toBe(200);
    await until(() => reaches(lan, seat(), INTERNET_IP), 'seat1 online after alice logs in');
    const view = await firewallView();
    expect(view.addresses).toEqual([
      { ip: SEAT, reason: 'login alice on seat1' },
      { ip: ORGA, reason: 'orga machine orgapc' },
    ]);
    expect(view).toMatchObject({ backend: 'nftables', contest_mode: false, waiting_for: [] });

    const on = await mdb.call('PUT', '/api/v1/settings/contest_mode', { value: true });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    await until(() => !reaches(lan, seat(), INTERNET_IP), 'seat1 offline in contest mode');
    await until(() => reaches(lan, orga(), INTERNET_IP), 'the orga machine still online');
    expect((await firewallView()).contest_mode).toBe(true);

    const off = await mdb.call('PUT', '/api/v1/settings/contest_mode', { value: false });
    expect(off.status).toBe(200);
    await until(() => reaches(lan, seat(), INTERNET_IP), 'seat1 online after contest mode');
  });

  it('contest mode cuts a connection opened before it; new ones work again after', async () => {
    await expectStartingState({
      firewall: 'running',
      contestMode: false,
      set: [SEAT, ORGA],
      presence: 'up',
    });
    connection = openConnection(lan, seat());
    await until(() => connection!.echoed() >= 3, 'echoes while allowed', connection.output);

    const on = await mdb.call('PUT', '/api/v1/settings/contest_mode', { value: true });
    expect(on.status, JSON.stringify(on.body)).toBe(200);
    await until(() => !gw.setElements().includes(SEAT), 'seat1 out of the set');
    // Every line written from now on crosses the gateway after seat1 left the set (one more for
    // a write racing this read): none may come back, though the flow is still in conntrack.
    const cut = connection.sent() + 1;
    await until(() => connection!.sent() >= cut + 10, 'ten more lines sent', connection.output);
    expect(connection.echoed(), connection.output().slice(-2000)).toBeLessThanOrEqual(cut);
    expect(reaches(lan, seat(), INTERNET_IP)).toBe(false);

    const off = await mdb.call('PUT', '/api/v1/settings/contest_mode', { value: false });
    expect(off.status).toBe(200);
    await until(() => reaches(lan, seat(), INTERNET_IP), 'a new connection from seat1');
    await connection.close();
    connection = undefined;
  });

  it('repairs a manual flush of the set (re-assert)', async () => {
    await expectStartingState({ firewall: 'running', set: [SEAT, ORGA], presence: 'up' });
    gw.exec(['nft', 'flush', 'set', 'inet', 'lanctl', 'allowed_internet']);
    expect(reaches(lan, seat(), INTERNET_IP)).toBe(false);
    await until(() => reaches(lan, seat(), INTERNET_IP), 'the set re-asserted');
    const metrics = await (await fetch(`${api()}/metrics`)).text();
    expect(metrics).toMatch(
      /lanctl_firewall_applies_total\{result="success",trigger="reassert"\} [1-9]/,
    );
    expect(metrics).toMatch(/lanctl_firewall_allowed_addresses 2/);
  });

  it('keeps the set when presence goes away, and degrades /healthz', async () => {
    await expectStartingState({ firewall: 'running', set: [SEAT, ORGA], presence: 'up' });
    await presence!.stop();
    presence = undefined;
    await until(async () => (await health()).degraded === true, 'healthz degraded');
    expect((await health()).upstream.presence.connected).toBe(false);
    // The firewall knows presence is gone; its next whole-set write (a re-assert, every 5 s
    // here) must write the same set again, not an empty one.
    const reasserts = () =>
      metric('lanctl_firewall_applies_total', '{result="success",trigger="reassert"}');
    const before = await reasserts();
    expect(before).not.toBeNaN();
    await until(async () => (await reasserts()) > before, 'a re-assert while presence is down');
    expect(gw.setElements()).toEqual([SEAT, ORGA].sort());
    expect(reaches(lan, seat(), INTERNET_IP)).toBe(true);
    expect(reaches(lan, orga(), INTERNET_IP)).toBe(true);
  });

  it('re-applies the last good state from its state files after a restart with upstream down', async () => {
    await expectStartingState({ firewall: 'running', set: [SEAT, ORGA], presence: 'down' });
    await firewall!.kill();
    gw.exec(['ip', 'link', 'set', 'uplink', 'down']); // mdb, udb and presence all unreachable
    gw.exec(['nft', 'flush', 'set', 'inet', 'lanctl', 'allowed_internet']);
    expect(reaches(lan, seat(), INTERNET_IP)).toBe(false);
    firewall = spawnFirewall(lan, writeConfig());
    await until(
      () => reaches(lan, seat(), INTERNET_IP),
      'seat1 online from the state files',
      () => firewall!.output(),
    );
    await until(() => reaches(lan, orga(), INTERNET_IP), 'the orga machine still online');
    expect(gw.setElements()).toEqual([SEAT, ORGA].sort());
    // The session came from the state file written at the previous stop.
    await until(
      () => /sync presence: loaded 1 rows/.test(firewall!.output()),
      'the state-file log line',
    );
  });
});
