import { randomBytes } from 'node:crypto';
import { readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  curl,
  headersOf,
  heldGet,
  metricValue,
  sha256,
  startFileServer,
  type TestFileServer,
} from './testing.ts';

let dir: string;
const BIG = 256 * 1024 * 1024; // sparse: a reader that does not read never reaches its end
let medium: Buffer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netboot-queue-'));
  await writeFile(join(dir, 'big.img'), '');
  await truncate(join(dir, 'big.img'), BIG);
  medium = randomBytes(2 * 1024 * 1024);
  await writeFile(join(dir, 'medium.img'), medium);
  await writeFile(join(dir, 'boot.ipxe'), '#!ipxe\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function withServer(
  extra: { maxConcurrent: number; queueTimeoutMs?: number; maxQueue?: number },
  body: (s: TestFileServer, url: (p: string) => string) => Promise<void>,
): Promise<void> {
  const s = await startFileServer({ servers: { rfs0: { root: dir } }, ...extra });
  try {
    await body(s, (p) => `${s.url}/files/rfs0/${p}`);
  } finally {
    await s.close();
  }
}

const state = (s: TestFileServer) => s.router.health().rfs0;

describe('boot-storm queue', () => {
  it('makes the third large transfer wait, then serves it in full', async () => {
    await withServer({ maxConcurrent: 2 }, async (s, url) => {
      const a = heldGet(url('big.img'));
      const b = heldGet(url('big.img'));
      await a.response;
      await b.response;
      expect(state(s)).toEqual({ active: 2, queued: 0 });
      const small = await curl(['-o', '/dev/null', '-w', '%{http_code}', url('boot.ipxe')]);
      expect(small.stdout.toString()).toBe('200'); // small files never wait
      const third = curl([url('medium.img')]);
      await waitFor(() => state(s)?.queued === 1, 'third request queued', 10_000);
      expect(await metricValue(s.metrics, 'lanctl_netboot_file_queue', { server: 'rfs0' })).toBe(1);
      a.abort();
      const r = await third;
      expect(r.code).toBe(0);
      expect(sha256(r.stdout)).toBe(sha256(medium));
      b.abort();
      await waitFor(() => state(s)?.active === 0, 'slots released', 10_000);
      const served = s.transfers.find((t) => t.path === 'medium.img');
      expect(served?.outcome).toBe('done');
      expect(served?.queued_ms).toBeGreaterThan(0);
      expect(s.transfers.filter((t) => t.outcome === 'aborted')).toHaveLength(2);
      // Three large transfers asked for a slot; the small script did not.
      const wait = await s.metrics.getSingleMetric('lanctl_netboot_file_queue_wait_seconds')?.get();
      const values = (wait?.values ?? []) as { metricName?: string; value: number }[];
      const count = values.find((v) => v.metricName?.endsWith('_count'));
      expect(count?.value).toBe(3);
    });
  });

  it('answers 503 with Retry-After after the queue timeout, and at once when full', async () => {
    await withServer({ maxConcurrent: 1, queueTimeoutMs: 200, maxQueue: 1 }, async (s, url) => {
      const held = heldGet(url('big.img'));
      await held.response;
      const waiting = curl(['-D', '-', '-o', '/dev/null', url('medium.img')]);
      await waitFor(() => state(s)?.queued === 1, 'one request queued', 10_000);
      const full = await curl(['-D', '-', '-o', '/dev/null', url('medium.img')]);
      const refused = headersOf(full.stdout.toString());
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      const timedOut = headersOf((await waiting).stdout.toString());
      expect(timedOut.status).toBe(503);
      expect(timedOut.headers.get('retry-after')).toBe('5');
      const outcomes = s.transfers.map((t) => t.outcome);
      expect(outcomes).toEqual(expect.arrayContaining(['queue-full', 'queue-timeout']));
      held.abort();
      await waitFor(() => state(s)?.active === 0, 'slot released', 10_000);
    });
  });

  it('takes a client that gives up while queued out of the queue', async () => {
    await withServer({ maxConcurrent: 1 }, async (s, url) => {
      const held = heldGet(url('big.img'));
      await held.response;
      const quitter = heldGet(url('big.img'));
      await waitFor(() => state(s)?.queued === 1, 'queued', 10_000);
      quitter.abort();
      await waitFor(() => state(s)?.queued === 0, 'queue emptied', 10_000);
      expect(await metricValue(s.metrics, 'lanctl_netboot_file_queue', { server: 'rfs0' })).toBe(0);
      expect(state(s)).toEqual({ active: 1, queued: 0 });
      held.abort();
      await waitFor(() => state(s)?.active === 0, 'slot released', 10_000);
      const aborted = s.transfers.filter((t) => t.outcome === 'aborted');
      expect(aborted).toHaveLength(2);
      expect(await metricValue(s.metrics, 'lanctl_netboot_file_active', { server: 'rfs0' })).toBe(
        0,
      );
    });
  });
});

/** Aborts a download after its first body chunk. */
function abortAfterFirstChunk(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false }, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('error', (e) => (req.destroyed ? resolve() : reject(e)));
  });
}

const openFds = () => readdirSync('/proc/self/fd').length;
/** Descriptors of this process open on a file of the test directory. */
const fileFds = () =>
  readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir);
    } catch {
      return false;
    }
  }).length;

describe('file descriptors', () => {
  it('are all closed after many aborted downloads', async () => {
    await withServer({ maxConcurrent: 4 }, async (s, url) => {
      await abortAfterFirstChunk(url('big.img')); // warm up lazily opened handles
      await waitFor(() => state(s)?.active === 0, 'warm-up released', 10_000);
      const before = openFds();
      for (let round = 0; round < 5; round++) {
        await Promise.all(Array.from({ length: 8 }, () => abortAfterFirstChunk(url('big.img'))));
      }
      await waitFor(() => state(s)?.active === 0 && state(s)?.queued === 0, 'all released', 20_000);
      await waitFor(() => fileFds() === 0, `file fds closed (now ${fileFds()})`, 20_000);
      await waitFor(() => openFds() <= before, `fds back to ${before} (now ${openFds()})`, 20_000);
      expect(s.transfers.filter((t) => t.outcome === 'aborted').length).toBe(41);
    });
  });
});
