/**
 * `workers: 2`: two cluster workers share the sockets; the primary keeps the streams and feeds
 * them. Same checks as a single process: answers (UDP, TCP), a change through mdb, metrics, a
 * clean stop that leaves no worker behind.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type TempDir, tempDir } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MdbHarness, startMdb } from '../../services/mdb/src/testing/harness.ts';
import { type Daemon, type DigResult, dig, startDaemon } from './support.ts';

let dir: TempDir;
let mdb: MdbHarness;
let dns: Daemon;

async function until(query: () => Promise<DigResult>, ok: (r: DigResult) => boolean, what: string) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const r = await query();
    if (ok(r)) return r;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${r.raw}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

/** Pids of the processes whose parent is `pid` (the workers), via pgrep. */
async function childrenOf(pid: number): Promise<string[]> {
  try {
    const { stdout } = await promisify(execFile)('pgrep', ['-P', String(pid)], { timeout: 5000 });
    return stdout.split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

beforeAll(async () => {
  dir = await tempDir('lanctl-dns-workers-');
  mdb = await startMdb('sqlite');
  const created = await mdb.call('POST', '/api/v1/machines', {
    hostname: 'pc1',
    mac: '52:54:00:00:01:01',
    ip: '192.168.0.10',
    mtype: 'user',
  });
  expect(created.status).toBe(201);
  writeFileSync(join(dir.path, 'token'), mdb.token('reader'));
  dns = await startDaemon(dir.path, {
    listen: { host: '127.0.0.1', port: 0 },
    http: { listen: { port: 0 } },
    upstream: mdb.service.syncUrl,
    token_file: join(dir.path, 'token'),
    state_dir: dir.path,
    workers: 2,
  });
}, 60_000);

afterAll(async () => {
  await dns?.stop();
  await mdb?.close();
  await dir?.cleanup();
});

describe('dns with two cluster workers', () => {
  it('answers over UDP and TCP from the tables the primary sends', async () => {
    expect(dns.child.pid).toBeDefined();
    expect(await childrenOf(dns.child.pid!)).not.toEqual([]);
    await until(
      () => dig(dns.port, ['pc1.prolo']),
      (r) => r.answer.length === 1,
      'pc1',
    );
    for (let i = 0; i < 10; i++) {
      const r = await dig(dns.port, i % 2 ? ['+tcp', 'pc1.prolo'] : ['pc1.prolo']);
      expect(r.answer).toEqual(['pc1.prolo. IN A 192.168.0.10']);
    }
  });

  it('follows mdb: a new machine reaches every worker', async () => {
    const created = await mdb.call('POST', '/api/v1/machines', {
      hostname: 'pc2',
      mac: '52:54:00:00:01:02',
      ip: '192.168.0.11',
      mtype: 'user',
    });
    expect(created.status).toBe(201);
    await until(
      () => dig(dns.port, ['pc2.prolo']),
      (r) => r.answer.length === 1,
      'pc2',
    );
    // Fresh sockets each time: the kernel spreads them over both workers.
    for (let i = 0; i < 10; i++) {
      expect((await dig(dns.port, ['pc2.prolo'])).answer).toEqual(['pc2.prolo. IN A 192.168.0.11']);
    }
  });

  it("adds the workers' counts to the primary's /metrics", async () => {
    const deadline = Date.now() + 10_000;
    let text = '';
    while (Date.now() < deadline) {
      text = await (await fetch(`${dns.httpUrl}/metrics`)).text();
      const n = [
        ...text.matchAll(/^lanctl_dns_queries_total\{[^}]*rcode="NOERROR"[^}]*\} (\d+)/gm),
      ];
      if (n.reduce((sum, m) => sum + Number(m[1]), 0) >= 20) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(text).toMatch(
      /lanctl_dns_queries_total\{view="normal",type="A",rcode="NOERROR",transport="tcp"\} [1-9]/,
    );
  });

  it('stops cleanly, workers included', async () => {
    const pid = dns.child.pid!;
    expect(await dns.stop()).toBe(0);
    expect(await childrenOf(pid)).toEqual([]);
  });
});
