/**
 * SADM wire compatibility of `/call/<method>`, over real HTTP, driven the way SADM's clients
 * drive it: raw bytes, `curl | jq`, and a Python urllib client shaped like prologin/rpc/client.py.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { issueToken } from '@lanctl/auth';
import { ENGINES } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MdbHarness, startMdb } from './testing/harness.ts';

const run = promisify(execFile);
const mac = (n: number) => `52:54:00:00:00:${n.toString(16).padStart(2, '0')}`;

interface Raw {
  status: number;
  type: string | null;
  text: string;
  json: any;
}

/** POSTs `{"args", "kwargs"}` as SADM's client does: JSON + newline, not application/json. */
async function rpc(
  base: string,
  method: string,
  kwargs: Record<string, unknown> = {},
  args: unknown[] = [],
  headers: Record<string, string> = {},
): Promise<Raw> {
  const res = await fetch(`${base}/call/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', ...headers },
    body: `${JSON.stringify({ args, kwargs })}\n`,
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    text,
    json: JSON.parse(text),
  };
}

const hostnames = (r: Raw) => r.json.data.map((m: { hostname: string }) => m.hostname);
const exn = (r: Raw) => [r.status, r.json.exn_type, r.json.exn_message];

function requireTools(...tools: string[]): void {
  for (const tool of tools) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`]);
    } catch {
      throw new Error(`${tool} is missing: run \`pnpm test:deps\` (scripts/install-test-deps.sh)`);
    }
  }
}

/** A client built like prologin/rpc/client.py, on urllib only: same body, same checks. */
const PYTHON_CLIENT = `
import json, sys, urllib.request, urllib.error
from urllib.parse import urljoin

def call(base, method, *args, **kwargs):
    data = '{}\\n'.format(json.dumps({'args': list(args), 'kwargs': kwargs})).encode('ascii')
    req = urllib.request.Request(urljoin(base, 'call/{}'.format(method)), data=data,
                                 headers={'Content-Type': 'application/octet-stream'})
    try:
        resp = urllib.request.urlopen(req)
    except urllib.error.HTTPError as e:
        resp = e
    if resp.headers['Content-Type'] != 'application/json':
        return ['InternalError', resp.headers['Content-Type']]
    result = json.loads(resp.read())
    if result['type'] == 'result':
        return ['result', result['data']]
    return ['RemoteError', result['exn_type'], result['exn_message']]

base = sys.argv[1]
print(json.dumps({
    'by_mac': call(base, 'query', mac=sys.argv[2]),
    'rfs': call(base, 'query', aliases__contains='rfs0'),
    'register': call(base, 'register', 'py-host', '52:54:00:00:00:99', 0, 0, 'pasteur', 'user'),
    'unknown': call(base, 'nope'),
}))
`;

describe.each(ENGINES)('SADM /call on %s', (engine) => {
  let mdb: MdbHarness;
  /** netboot's token: register needs machines:register. */
  const registrar = () => ({
    authorization: `Bearer ${issueToken(mdb.keys.privateKey, { subject: 'netboot', role: 'reader', scopes: ['read', 'machines:register'] })}`,
  });
  beforeAll(async () => {
    mdb = await startMdb(engine);
    const machines = [
      { hostname: 'pas-r01p01', mac: mac(1), mtype: 'user', room: 'pasteur', aliases: ['seat1'] },
      { hostname: 'rhfs01', mac: mac(2), mtype: 'service', aliases: ['rfs0', 'hfs0'] },
      { hostname: 'node1', mac: mac(3), mtype: 'cluster', room: 'cluster' },
      {
        hostname: 'alt-r01p01',
        mac: mac(4),
        mtype: 'user',
        room: 'alt',
        rfs: 1,
        is_faulty: true,
        is_faulty_details: 'broken fan',
      },
      { hostname: 'clust-gw', mac: mac(5), mtype: 'service', room: 'cluster' },
    ];
    for (const m of machines)
      expect((await mdb.call('POST', '/api/v1/machines', m)).status).toBe(201);
    for (const s of [
      { name: 'sw-b', chassis: '02:00:00:00:00:02', rfs: 1, hfs: 0, room: 'alt' },
      { name: 'sw-c', chassis: '02:00:00:00:00:03', rfs: 0, hfs: 1 },
      { name: 'sw-a', chassis: '02:00:00:00:00:01', rfs: 1, hfs: 0, room: 'alt' },
    ]) {
      expect((await mdb.call('POST', '/api/v1/switches', s)).status).toBe(201);
    }
  });
  afterAll(() => mdb.close());

  it('answers query with a byte-exact SADM envelope', async () => {
    const r = await rpc(mdb.url, 'query', { hostname: 'pas-r01p01' });
    expect(r.status).toBe(200);
    expect(r.type).toBe('application/json');
    expect(r.text).toBe(
      '{"type": "result", "data": [{"hostname": "pas-r01p01", "aliases": "seat1", ' +
        '"ip": "192.168.0.1", "mac": "52:54:00:00:00:01", "rfs": 0, "hfs": 0, "mtype": "user", ' +
        '"room": "pasteur", "is_faulty": false, "is_faulty_details": ""}]}\n',
    );
  });

  it('answers GET /call/query without a body: every machine, by hostname', async () => {
    const res = await fetch(`${mdb.url}/call/query`);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = await res.json();
    expect(body.data.map((m: any) => m.hostname)).toEqual([
      'alt-r01p01',
      'clust-gw',
      'node1',
      'pas-r01p01',
      'rhfs01',
    ]);
    expect(Object.keys(body.data[0])).toEqual([
      'hostname',
      'aliases',
      'ip',
      'mac',
      'rfs',
      'hfs',
      'mtype',
      'room',
      'is_faulty',
      'is_faulty_details',
    ]);
  });

  it('filters with Django lookups, is_faulty included', async () => {
    expect(hostnames(await rpc(mdb.url, 'query', { aliases__contains: 'rfs0' }))).toEqual([
      'rhfs01',
    ]);
    expect(hostnames(await rpc(mdb.url, 'query', { hostname__iregex: '^(PAS|ALT)-' }))).toEqual([
      'alt-r01p01',
      'pas-r01p01',
    ]);
    expect(hostnames(await rpc(mdb.url, 'query', { is_faulty: true }))).toEqual(['alt-r01p01']);
    expect(hostnames(await rpc(mdb.url, 'query', { rfs: '1' }))).toEqual(['alt-r01p01']);
    expect(hostnames(await rpc(mdb.url, 'query', { rfs: 1, mtype: 'user' }))).toEqual([
      'alt-r01p01',
    ]);
    expect(hostnames(await rpc(mdb.url, 'query', { mac__in: [mac(3), mac(5)] }))).toEqual([
      'clust-gw',
      'node1',
    ]);
    expect(hostnames(await rpc(mdb.url, 'query', { is_faulty_details__icontains: 'FAN' }))).toEqual(
      ['alt-r01p01'],
    );
  });

  it('refuses a bad filter with a 500 ValueError envelope, as SADM does', async () => {
    const r = await rpc(mdb.url, 'query', { owner: 'x' });
    expect(r.text).toBe(
      '{"type": "exception", "exn_type": "ValueError", "exn_message": ' +
        '"\'owner\' is not a valid query argument", "exn_traceback": []}\n',
    );
    expect(r.status).toBe(500);
    expect(exn(await rpc(mdb.url, 'query', { hostname__regex: '(' }))[1]).toBe('ValueError');
    expect(exn(await rpc(mdb.url, 'query', {}, ['positional']))).toEqual([
      500,
      'TypeError',
      'query() takes 1 positional argument but 2 were given',
    ]);
  });

  it('lists switches as SADM does: five fields, by rfs, hfs, name', async () => {
    const r = await rpc(mdb.url, 'switches');
    expect(r.json.data).toEqual([
      { name: 'sw-c', chassis: '02:00:00:00:00:03', room: 'other', rfs: 0, hfs: 1 },
      { name: 'sw-a', chassis: '02:00:00:00:00:01', room: 'alt', rfs: 1, hfs: 0 },
      { name: 'sw-b', chassis: '02:00:00:00:00:02', room: 'alt', rfs: 1, hfs: 0 },
    ]);
    const alt = await rpc(mdb.url, 'switches', { room: 'alt', name__endswith: 'b' });
    expect(alt.json.data.map((s: any) => s.name)).toEqual(['sw-b']);
    expect(exn(await rpc(mdb.url, 'switches', { mac: 'x' }))[1]).toBe('ValueError');
  });

  it('serves the Ansible inventory to `curl -fs .../call/ansible | jq .data`', async () => {
    requireTools('curl', 'jq');
    const { stdout } = await run('bash', [
      '-o',
      'pipefail',
      '-c',
      'curl -fs "$1/call/ansible" | jq .data',
      'sh',
      mdb.url,
    ]);
    const inventory = JSON.parse(stdout);
    expect(Object.keys(inventory)).toEqual([
      'cluster',
      'orga',
      'service',
      'user',
      'alt',
      'other',
      'pasteur',
      '_meta',
    ]);
    // `cluster` is a type and a room: one Ansible group, each host once.
    expect(inventory.cluster).toEqual({ hosts: ['clust-gw', 'node1'] });
    expect(inventory.orga).toEqual({ hosts: [] });
    expect(inventory.service).toEqual({ hosts: ['clust-gw', 'rhfs01'] });
    expect(inventory.user).toEqual({ hosts: ['alt-r01p01', 'pas-r01p01'] });
    expect(inventory.other).toEqual({ hosts: ['rhfs01'] });
    expect(inventory._meta.hostvars.rhfs01).toEqual({
      mac: mac(2),
      rfs: 0,
      hfs: 0,
      room: 'other',
      aliases: ['rfs0', 'hfs0'],
      is_faulty: false,
      is_faulty_details: '',
    });
    expect(inventory._meta.hostvars.node1.aliases).toEqual([]);
    expect(Object.keys(inventory._meta.hostvars)).toHaveLength(5);
  });

  it('answers an unknown method with 404 MethodError and bad JSON with 400', async () => {
    expect(exn(await rpc(mdb.url, 'nope'))).toEqual([404, 'MethodError', 'nope']);
    const res = await fetch(`${mdb.url}/call/query`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{"kwargs": ',
    });
    expect(res.status).toBe(400);
    expect((await res.json()).exn_type).toBe('JSONDecodeError');
    // The JSON API keeps its strict body rules.
    const api = await fetch(`${mdb.url}/api/v1/machines`, { method: 'POST', body: '{}' });
    expect(api.status).toBe(415);
  });

  it('register needs a token with machines:register (SADM left it open to the LAN)', async () => {
    const args = ['reg-a', mac(20), 0, 0, 'pasteur', 'user'];
    expect(exn(await rpc(mdb.url, 'register', {}, args))[1]).toBe('MissingToken');
    const reader = { authorization: `Bearer ${mdb.token('reader')}` };
    expect(exn(await rpc(mdb.url, 'register', {}, args, reader))[1]).toBe('BadToken');
  });

  it('refuses register while self-registration is off', async () => {
    const args = ['reg-a', mac(20), 0, 0, 'pasteur', 'user'];
    expect(exn(await rpc(mdb.url, 'register', {}, args, registrar()))).toEqual([
      500,
      'RuntimeError',
      'self registration is disabled',
    ]);
  });

  it('registers through the API schema once self-registration is on', async () => {
    const on = await mdb.call('PUT', '/api/v1/settings/allow_self_registration', {
      value: true,
      duration_seconds: 600,
    });
    expect(on.status).toBe(200);
    const positional = await rpc(
      mdb.url,
      'register',
      {},
      ['reg-a', mac(20), 0, 0, 'pasteur', 'user'],
      registrar(),
    );
    expect(positional.text).toBe('{"type": "result", "data": "192.168.0.3"}\n');
    const kw = await rpc(
      mdb.url,
      'register',
      {
        hostname: 'REG-B',
        mac: '52-54-00-00-00-21',
        rfs: '1',
        hfs: 2,
        room: 'alt',
        mtype: 'user',
      },
      [],
      registrar(),
    );
    expect(kw.json).toEqual({ type: 'result', data: '192.168.0.4' });
    const seen = await mdb.call('GET', '/api/v1/machines/reg-b');
    expect(seen.body).toMatchObject({ ip: '192.168.0.4', mac: mac(0x21), rfs: 1, hfs: 2 });
    expect(hostnames(await rpc(mdb.url, 'query', { ip: '192.168.0.3' }))).toEqual(['reg-a']);

    const dup = await rpc(
      mdb.url,
      'register',
      {},
      ['reg-a', mac(22), 0, 0, 'pasteur', 'user'],
      registrar(),
    );
    expect(dup.status).toBe(500);
    expect(dup.json.exn_type).toBe('RuntimeError');
    expect(dup.json.exn_message).toMatch(/^unable to register, duplicate name\? hostname: /);
    const sameMac = await rpc(
      mdb.url,
      'register',
      {},
      ['reg-c', mac(20), 0, 0, 'alt', 'user'],
      registrar(),
    );
    expect(sameMac.json.exn_message).toMatch(/^unable to register, duplicate name\? mac: /);

    const invalid = await rpc(
      mdb.url,
      'register',
      {},
      ['bad_name', 'zz', 0, 0, 'alt', 'user'],
      registrar(),
    );
    expect(exn(invalid).slice(0, 2)).toEqual([500, 'ValidationError']);
    expect(invalid.json.exn_message).toMatch(/^hostname: .*; mac: /);
    expect(
      exn(
        await rpc(mdb.url, 'register', {}, ['reg-d', mac(23), 0, 0, 'moon', 'user'], registrar()),
      )[1],
    ).toBe('ValidationError');
    expect(exn(await rpc(mdb.url, 'register', { hostname: 'x' }, [], registrar()))).toEqual([
      500,
      'TypeError',
      "register() missing 5 required positional arguments: 'mac', 'rfs', 'hfs', 'room', and 'mtype'",
    ]);

    mdb.setNow(new Date(Date.now() + 601_000));
    expect(
      exn(
        await rpc(mdb.url, 'register', {}, ['reg-e', mac(24), 0, 0, 'alt', 'user'], registrar()),
      )[2],
    ).toBe('self registration is disabled');
    mdb.setNow(new Date());
  });

  it('reports an exhausted pool as SADM does', async () => {
    await mdb.call('POST', '/api/v1/pools', { name: 'tiny', network: '10.9.0.0/30' });
    await mdb.call('POST', '/api/v1/machine-types', { name: 'tiny', pool: 'tiny' });
    const reg = (n: number) =>
      rpc(mdb.url, 'register', {}, [`tiny${n}`, mac(40 + n), 0, 0, 'other', 'tiny'], registrar());
    expect((await reg(1)).json.data).toBe('10.9.0.1');
    expect((await reg(2)).json.data).toBe('10.9.0.2');
    expect(exn(await reg(3))).toEqual([500, 'RuntimeError', 'unable to allocate an IP address']);
  });

  it('works for a Python client built like prologin/rpc/client.py', async () => {
    requireTools('python3');
    const { stdout } = await run('python3', ['-c', PYTHON_CLIENT, `${mdb.url}/`, mac(1)]);
    const out = JSON.parse(stdout);
    expect(out.by_mac[0]).toBe('result');
    expect(out.by_mac[1]).toEqual([
      expect.objectContaining({ hostname: 'pas-r01p01', ip: '192.168.0.1' }),
    ]);
    expect(out.rfs[1].map((m: any) => m.hostname)).toEqual(['rhfs01']);
    // SADM's client sends no token: register is refused (it was open to the LAN in SADM).
    expect(out.register).toEqual(['RemoteError', 'MissingToken', 'register']);
    expect(out.unknown).toEqual(['RemoteError', 'MethodError', 'nope']);
  });

  it('times every call in lanctl_mdb_rpc_call_duration_seconds', async () => {
    const text = await (await fetch(`${mdb.url}/metrics`)).text();
    expect(text).toMatch(/lanctl_mdb_rpc_call_duration_seconds_count\{method="query"\} [1-9]/);
    expect(text).toMatch(/lanctl_mdb_rpc_call_duration_seconds_count\{method="register"\} [1-9]/);
  });
});

describe.each(ENGINES)('SADM /call with sadm.public_read: false on %s', (engine) => {
  let mdb: MdbHarness;
  beforeAll(async () => {
    mdb = await startMdb(engine, { sadm: { public_read: false } });
  });
  afterAll(() => mdb.close());

  it('wants a bearer token with read scope for query, switches and ansible', async () => {
    for (const method of ['query', 'switches', 'ansible']) {
      expect(exn(await rpc(mdb.url, method))).toEqual([400, 'MissingToken', method]);
      const bad = { authorization: 'Bearer lanctl1.bogus.token' };
      expect(exn(await rpc(mdb.url, method, {}, [], bad))).toEqual([403, 'BadToken', method]);
      const user = { authorization: `Bearer ${mdb.token('user')}` };
      expect(exn(await rpc(mdb.url, method, {}, [], user))).toEqual([403, 'BadToken', method]);
      const reader = { authorization: `Bearer ${mdb.token('reader')}` };
      const ok = await rpc(mdb.url, method, {}, [], reader);
      expect([ok.status, ok.json.type]).toEqual([200, 'result']);
    }
    const get = await fetch(`${mdb.url}/call/query`, {
      headers: { authorization: `Bearer ${mdb.token('reader')}` },
    });
    expect((await get.json()).data).toEqual([]);
  });

  it('wants a machines:register token for register, still bound by the setting', async () => {
    const args = ['reg-a', mac(20), 0, 0, 'pasteur', 'user'];
    expect(exn(await rpc(mdb.url, 'register', {}, args))).toEqual([
      400,
      'MissingToken',
      'register',
    ]);
    const root = { authorization: `Bearer ${mdb.token('root')}` };
    expect(exn(await rpc(mdb.url, 'register', {}, args, root))).toEqual([
      500,
      'RuntimeError',
      'self registration is disabled',
    ]);
  });
});
