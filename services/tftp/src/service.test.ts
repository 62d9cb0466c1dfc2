/**
 * create() in process, on port 0, with a file fixture: what the real-client tests in tests/tftp
 * cannot force on demand (the transfer limit, a retransmitted RRQ, /healthz, construction errors).
 */

import type { KeyObject } from 'node:crypto';
import { createLogger, createMetricsRegistry, validateConfig } from '@lanctl/core';
import { createTestKeys, type TempDir, type TestKeys, tempDir } from '@lanctl/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FileSource } from './files.ts';
import { create, type TftpService, tftpConfigSchema } from './index.ts';
import { refuse } from './policy.ts';
import { ScriptedClient } from './testing/client.ts';

const FILE = Uint8Array.from({ length: 3000 }, (_, i) => i % 256);
const files: FileSource = {
  read: async (path) => (path === 'f.bin' ? FILE : refuse(1, 'not_found', 'file not found')),
};
const config = (over: Record<string, unknown> = {}) =>
  validateConfig('test', tftpConfigSchema, {
    listen: { host: '127.0.0.1', port: 0 },
    http: { listen: { port: 0 } },
    retransmit_timeout_ms: 60_000, // nothing in these tests waits for a retransmission
    ...over,
  });

let keys: TestKeys;
let publicKey: KeyObject;
let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir();
  keys = createTestKeys(dir.path);
  publicKey = keys.publicKey;
});
afterAll(() => dir.cleanup());

const open: { service: TftpService; clients: ScriptedClient[] }[] = [];
afterEach(async () => {
  for (const { service, clients } of open.splice(0)) {
    for (const c of clients) c.close();
    await service.stop();
  }
});

async function start(over: Record<string, unknown> = {}) {
  const metrics = createMetricsRegistry();
  const service = create(config(over), {
    logger: createLogger('tftp', { silent: true }),
    metrics,
    files,
    publicKey,
  });
  const ports = await service.start();
  const clients: ScriptedClient[] = [];
  open.push({ service, clients });
  const client = async () => {
    const c = await ScriptedClient.open();
    clients.push(c);
    return c;
  };
  const metric = async (name: string) =>
    (await metrics.getSingleMetric(name)?.get())?.values.reduce((n, v) => n + v.value, 0) ?? 0;
  return { ...ports, client, metric, metrics };
}

describe('tftp service', () => {
  it('drops requests beyond max_transfers, serves them once a transfer ended', async () => {
    const s = await start({ max_transfers: 1 });
    const first = await s.client();
    await first.request(s.tftpPort, 'f.bin', [{ name: 'tsize', value: '0' }]);
    expect(await first.expect()).toMatchObject({ op: 'oack' });
    const second = await s.client();
    await second.send({ op: 'rrq', filename: 'f.bin', mode: 'octet', options: [] }, s.tftpPort);
    expect(await second.next(300)).toBeNull();
    expect(
      (await s.metrics.getSingleMetric('lanctl_tftp_packets_dropped_total')?.get())?.values,
    ).toEqual([{ labels: { reason: 'busy' }, value: 1 }]);
    await first.send({ op: 'error', code: 8, message: 'size probe' });
    await second.request(s.tftpPort, 'f.bin');
    expect(Buffer.from((await second.download(512)).data)).toEqual(Buffer.from(FILE));
  });

  it('ignores an RRQ repeated by a client whose transfer runs (one transfer, one TID)', async () => {
    const s = await start();
    const c = await s.client();
    await c.request(s.tftpPort, 'f.bin');
    expect(await c.expect()).toMatchObject({ op: 'data', block: 1 });
    await c.send({ op: 'rrq', filename: 'f.bin', mode: 'octet', options: [] }, s.tftpPort);
    await c.send({ op: 'ack', block: 1 });
    const { data } = await c.download(512, undefined, 2);
    expect(data.length).toBe(FILE.length - 512);
    expect(await s.metric('lanctl_tftp_transfers_started_total')).toBe(1);
    expect(await s.metric('lanctl_tftp_packets_dropped_total')).toBe(1);
  });

  it('answers /healthz with the port, the root and the transfers in flight', async () => {
    const s = await start();
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ok: true,
      tftp: { host: '127.0.0.1', port: s.tftpPort },
      root: '/usr/lib/ipxe',
      active_transfers: 0,
      transfers_recorded: 0,
    });
  });

  it('fails at construction naming root or the missing dependency', () => {
    const logger = createLogger('tftp', { silent: true });
    const metrics = createMetricsRegistry();
    expect(() =>
      create(config({ root: '/nonexistent/tftp' }), { logger, metrics, publicKey }),
    ).toThrow(/tftp: root: \/nonexistent\/tftp/);
    expect(() => create(config({ root: '/etc/hostname' }), { logger, metrics, publicKey })).toThrow(
      /root: \/etc\/hostname is not a directory/,
    );
    expect(() => create(config(), { logger } as never)).toThrow(/deps.logger and deps.metrics/);
    expect(() => create(config(), { logger, metrics, files } as never)).toThrow(/deps.publicKey/);
  });

  it('records each answered request for GET /api/v1/transfers (token with scope read)', async () => {
    const s = await start();
    const c = await s.client();
    await c.request(s.tftpPort, 'f.bin', [{ name: 'tsize', value: '0' }]);
    expect(await c.expect()).toMatchObject({ op: 'oack' });
    await c.send({ op: 'error', code: 8, message: 'size probe' });
    const d = await s.client();
    await d.request(s.tftpPort, '/f.bin', [{ name: 'blksize', value: '1024' }]);
    await d.download(1024);
    const e = await s.client();
    await e.request(s.tftpPort, 'missing.efi');
    expect(await e.expect()).toMatchObject({ op: 'error', code: 1 });
    const get = (query: string, token: string | null = keys.token('reader')) =>
      fetch(`${s.url}/api/v1/transfers${query}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    let body = { transfers: [] as Record<string, unknown>[] };
    for (let i = 0; body.transfers.length < 3 && i < 100; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 20));
      const res = await get('?ip=127.0.0.1&limit=10');
      expect(res.status).toBe(200);
      body = (await res.json()) as typeof body;
    }
    expect(body.transfers.map((t) => [t.file, t.resolved, t.outcome, t.bytes, t.tsize])).toEqual([
      ['missing.efi', null, 'not-found', 0, null],
      ['/f.bin', 'f.bin', 'done', 3000, null],
      ['f.bin', 'f.bin', 'size-probe', 0, 3000],
    ]);
    expect(body.transfers[1]).toMatchObject({ ip: '127.0.0.1', blksize: 1024, source: 'tftp' });
    expect(body.transfers[0]!.at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await get('?ip=10.0.0.9')).status).toBe(200);
    expect(
      ((await (await get('?limit=1')).json()) as { transfers: unknown[] }).transfers,
    ).toHaveLength(1);
    expect((await get('', null)).status).toBe(401);
    const bad = await get('?ip=host');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { details: [{ field: 'ip' }] } });
    expect(((await (await get('?limit=0')).json()) as any).error.details[0].field).toBe('limit');
  });

  it('rejects a config naming the wrong key', () => {
    expect(() => config({ aliases: { 'a.kpxe': '../etc/passwd' } })).toThrow(/aliases.a.kpxe/);
    expect(() => config({ max_blksize: 70000 })).toThrow(/max_blksize/);
    expect(() => config({ listen: { host: 'lan' } })).toThrow(/listen.host/);
  });
});
