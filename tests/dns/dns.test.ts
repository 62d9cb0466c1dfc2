/**
 * The DNS daemon as systemd runs it (`lanctl serve dns`), fed by a real mdb, asked by dig over
 * UDP and TCP on loopback. 127.0.0.66 stands for an alien client, 127.0.0.200 for a client
 * outside `allow`. A dnsmasq on loopback is the upstream resolver (never a real one).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TempDir, tempDir } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MdbHarness, startMdb } from '../../services/mdb/src/testing/harness.ts';
import { type Daemon, type DigResult, dig, startDaemon } from './support.ts';

let dir: TempDir;
let mdb: MdbHarness;
let dns: Daemon;
let dnsmasq: ChildProcess;
let config: Record<string, unknown>;

async function freePort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Retries `query` until `ok` (bounded), for changes that travel through mdb's stream. */
async function until(query: () => Promise<DigResult>, ok: (r: DigResult) => boolean, what: string) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = await query();
    if (ok(r)) return r;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${r.raw}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

const serial = (r: DigResult) => Number(r.answer[0]?.split(' ')[5]);

beforeAll(async () => {
  dir = await tempDir('lanctl-dns-');
  mdb = await startMdb('sqlite');
  const add = (body: Record<string, unknown>) => mdb.call('POST', '/api/v1/machines', body);
  expect(
    (
      await add({
        hostname: 'pc1',
        mac: '52:54:00:00:00:01',
        ip: '192.168.0.10',
        mtype: 'user',
        aliases: ['web', 'rfs0'],
      })
    ).status,
  ).toBe(201);
  expect(
    (
      await add({
        hostname: 'gw',
        mac: '52:54:00:00:00:02',
        ip: '192.168.1.254',
        mtype: 'service',
        aliases: ['netboot'],
      })
    ).status,
  ).toBe(201);

  const hosts = join(dir.path, 'hosts');
  writeFileSync(
    hosts,
    [
      ...Array.from({ length: 60 }, (_, i) => `10.9.0.${i + 1} big.example`),
      '10.1.2.3 up.example',
      '',
    ].join('\n'),
  );
  const upstreamPort = await freePort();
  dnsmasq = spawn(
    'dnsmasq',
    [
      '--no-daemon',
      '--port',
      String(upstreamPort),
      '--no-resolv',
      '--no-hosts',
      '--addn-hosts',
      hosts,
      '--listen-address',
      '127.0.0.1',
      '--bind-interfaces',
      '--user=root',
      '--local-ttl=60',
    ],
    { stdio: 'ignore' },
  );

  writeFileSync(join(dir.path, 'token'), mdb.token('reader'));
  config = {
    listen: { host: '127.0.0.1', port: 0 },
    http: { listen: { port: 0 } },
    upstream: mdb.service.syncUrl,
    token_file: join(dir.path, 'token'),
    state_dir: dir.path,
    plan: {
      allow: ['127.0.0.0/25'],
      alien: { clients: ['192.168.250.0/24', '127.0.0.66/32'] },
      upstreams: [`127.0.0.1:${upstreamPort}`],
    },
  };
  dns = await startDaemon(dir.path, config);
  await until(
    () => dig(dns.port, ['pc1.prolo', 'A']),
    (r) => r.status === 'NOERROR',
    'machines to arrive',
  );
}, 60_000);

afterAll(async () => {
  await dns?.stop();
  dnsmasq?.kill('SIGTERM');
  await mdb?.close();
  await dir?.cleanup();
});

describe('authoritative answers (dig, UDP and TCP)', () => {
  it.each([[[]], [['+tcp']]])('hostname and aliases are A records, AA set (%s)', async (extra) => {
    for (const [name, ip] of [
      ['pc1', '192.168.0.10'],
      ['web', '192.168.0.10'],
      ['rfs0', '192.168.0.10'],
      ['gw', '192.168.1.254'],
    ]) {
      const r = await dig(dns.port, [...extra, `${name}.prolo`, 'A']);
      expect(r.status).toBe('NOERROR');
      expect(r.flags).toContain('aa');
      expect(r.answer).toEqual([`${name}.prolo. IN A ${ip}`]);
    }
  });

  it('answers PTRs in the user pool, the service pool and the alien range', async () => {
    expect((await dig(dns.port, ['-x', '192.168.0.10'])).answer).toEqual([
      '10.0.168.192.in-addr.arpa. IN PTR pc1.prolo.',
    ]);
    expect((await dig(dns.port, ['-x', '192.168.1.254'])).answer).toEqual([
      '254.1.168.192.in-addr.arpa. IN PTR gw.prolo.',
    ]);
    expect((await dig(dns.port, ['-x', '192.168.250.7'])).answer).toEqual([
      '7.250.168.192.in-addr.arpa. IN PTR unknown-7.alien.prolo.',
    ]);
    expect((await dig(dns.port, ['-x', '192.168.250.254'])).answer).toEqual([
      '254.250.168.192.in-addr.arpa. IN PTR gw.alien.prolo.',
    ]);
  });

  it('answers SOA and NS at the apex', async () => {
    const soa = await dig(dns.port, ['prolo', 'SOA']);
    expect(soa.answer[0]).toMatch(
      /^prolo\. IN SOA ns\.prolo\. hostmaster\.ns\.prolo\. \d{10} 1200 60 360000 10$/,
    );
    const ns = await dig(dns.port, ['prolo', 'NS']);
    expect(ns.answer).toEqual(['prolo. IN NS ns.prolo.']);
    expect(ns.raw).toMatch(/ns\.prolo\.\s+10\s+IN\s+A\s+192\.168\.1\.254/);
  });

  it('NXDOMAIN and NODATA carry the SOA in the authority section', async () => {
    const nx = await dig(dns.port, ['nope.prolo', 'A']);
    expect(nx.status).toBe('NXDOMAIN');
    expect(nx.flags).toContain('aa');
    expect(nx.authority[0]).toMatch(/^prolo\. IN SOA /);
    const nodata = await dig(dns.port, ['pc1.prolo', 'AAAA']);
    expect(nodata.status).toBe('NOERROR');
    expect(nodata.answer).toEqual([]);
    expect(nodata.authority[0]).toMatch(/^prolo\. IN SOA /);
  });

  it('gives alien clients the alien view only', async () => {
    const alien = ['-b', '127.0.0.66'];
    expect((await dig(dns.port, [...alien, 'netboot.prolo', 'A'])).answer).toEqual([
      'netboot.prolo. IN A 192.168.250.254',
    ]);
    expect((await dig(dns.port, [...alien, 'ns.prolo', 'A'])).answer).toEqual([
      'ns.prolo. IN A 192.168.250.254',
    ]);
    expect((await dig(dns.port, [...alien, 'pc1.prolo', 'A'])).status).toBe('NXDOMAIN');
    expect((await dig(dns.port, ['netboot.prolo', 'A'])).answer).toEqual([
      'netboot.prolo. IN A 192.168.1.254',
    ]);
  });

  it('refuses clients outside allow, over UDP and TCP', async () => {
    for (const extra of [[], ['+tcp']]) {
      const r = await dig(dns.port, [...extra, '-b', '127.0.0.200', 'pc1.prolo', 'A']);
      expect(r.status).toBe('REFUSED');
      expect(r.answer).toEqual([]);
    }
  });

  it('speaks EDNS: OPT answered with our size; none without', async () => {
    expect((await dig(dns.port, ['+bufsize=4096', 'pc1.prolo'])).udp).toBe(1232);
    expect((await dig(dns.port, ['+noedns', 'pc1.prolo'])).udp).toBeNull();
    const badvers = await dig(dns.port, ['+edns=1', '+noednsneg', 'pc1.prolo']);
    expect(badvers.status).toBe('BADVERS');
  });
});

describe('forwarding (dnsmasq upstream on loopback)', () => {
  it('forwards other names, RA set, not AA; then answers from the cache', async () => {
    const r = await dig(dns.port, ['up.example', 'A']);
    expect(r.status).toBe('NOERROR');
    expect(r.flags).toContain('ra');
    expect(r.flags).not.toContain('aa');
    expect(r.answer).toEqual(['up.example. IN A 10.1.2.3']);
    await dig(dns.port, ['up.example', 'A']);
    const metrics = await (await fetch(`${dns.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/lanctl_dns_cache_hits_total [1-9]/);
    expect(metrics).toMatch(/lanctl_dns_forwarded_total\{result="answer"\} [1-9]/);
  });

  it('truncates a 60-record answer over UDP without EDNS, and dig retries over TCP', async () => {
    const udp = await dig(dns.port, ['+noedns', '+ignore', 'big.example', 'A']);
    expect(udp.flags).toContain('tc');
    expect(udp.answer).toEqual([]);
    const retried = await dig(dns.port, ['+noedns', 'big.example', 'A']);
    expect(retried.flags).not.toContain('tc');
    expect(retried.answer).toHaveLength(60);
    expect(retried.raw).toMatch(/\(TCP\)/);
    const edns = await dig(dns.port, ['+bufsize=1232', 'big.example', 'A']);
    expect(edns.answer).toHaveLength(60);
    expect(edns.raw).toMatch(/\(UDP\)/);
  });
});

describe('following mdb', () => {
  it('answers a new machine at the next query; only changed zones get a new serial', async () => {
    const before = {
      fwd: serial(await dig(dns.port, ['prolo', 'SOA'])),
      user: serial(await dig(dns.port, ['0.168.192.in-addr.arpa', 'SOA'])),
      service: serial(await dig(dns.port, ['1.168.192.in-addr.arpa', 'SOA'])),
    };
    const created = await mdb.call('POST', '/api/v1/machines', {
      hostname: 'pc2',
      mac: '52:54:00:00:00:03',
      ip: '192.168.0.11',
      mtype: 'user',
    });
    expect(created.status).toBe(201);
    const r = await until(
      () => dig(dns.port, ['pc2.prolo', 'A']),
      (x) => x.answer.length === 1,
      'pc2',
    );
    expect(r.answer).toEqual(['pc2.prolo. IN A 192.168.0.11']);
    expect((await dig(dns.port, ['-x', '192.168.0.11'])).answer).toEqual([
      '11.0.168.192.in-addr.arpa. IN PTR pc2.prolo.',
    ]);
    expect(serial(await dig(dns.port, ['prolo', 'SOA']))).toBeGreaterThan(before.fwd);
    expect(serial(await dig(dns.port, ['0.168.192.in-addr.arpa', 'SOA']))).toBeGreaterThan(
      before.user,
    );
    expect(serial(await dig(dns.port, ['1.168.192.in-addr.arpa', 'SOA']))).toBe(before.service);
  });

  it('serves the last good state with mdb down, and says so on /healthz', async () => {
    const healthy = await fetch(`${dns.httpUrl}/healthz`);
    expect(healthy.status).toBe(200);
    await mdb.service.stop();
    await until(
      () => dig(dns.port, ['pc2.prolo', 'A']),
      () => true,
      'a query',
    );
    const deadline = Date.now() + 15_000;
    let report: Record<string, unknown> = {};
    while (Date.now() < deadline) {
      const res = await fetch(`${dns.httpUrl}/healthz`);
      report = (await res.json()) as Record<string, unknown>;
      if (res.status === 503) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(report).toMatchObject({ ok: false, status: 'degraded', upstream_connected: false });
    expect((await dig(dns.port, ['pc2.prolo', 'A'])).answer).toEqual([
      'pc2.prolo. IN A 192.168.0.11',
    ]);
    // A restart with mdb still down starts from the state files.
    expect(await dns.stop()).toBe(0);
    dns = await startDaemon(dir.path, config);
    expect((await dig(dns.port, ['pc2.prolo', 'A'])).answer).toEqual([
      'pc2.prolo. IN A 192.168.0.11',
    ]);
    expect((await dig(dns.port, ['-x', '192.168.0.10'])).answer).toEqual([
      '10.0.168.192.in-addr.arpa. IN PTR pc1.prolo.',
    ]);
  });
});
