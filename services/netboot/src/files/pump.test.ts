import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBufferPool, type Pumped, pump } from './pump.ts';
import { curl, sha256 } from './testing.ts';

let dir: string;
const data = randomBytes(1_000_003);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netboot-pump-'));
  await writeFile(join(dir, 'f'), data);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** One request served by `pump` with a declared length, on 127.0.0.1 port 0. */
async function serveOnce(
  start: number,
  length: number,
  chunk: number,
  pool = createBufferPool(chunk, 2),
) {
  let result: Pumped | undefined;
  const server = createServer(async (_req, res) => {
    const handle = await open(join(dir, 'f'));
    res.setHeader('Content-Length', length);
    result = await pump(handle, res, start, length, pool);
    await handle.close();
    if (!result.complete) res.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const reply = await curl([url]);
  await waitFor(() => result !== undefined, 'pump finished', 10_000);
  await new Promise<void>((r) => server.close(() => r()));
  return { reply, result };
}

describe('pump', () => {
  it.each([
    [0, data.length, 4096],
    [0, data.length, 1 << 20],
    [17, 300_000, 65_536],
    [data.length - 1, 1, 4096],
  ])('copies %i+%i bytes exactly with %i-byte buffers', async (start, length, chunk) => {
    const { reply, result } = await serveOnce(start, length, chunk);
    expect(reply.code).toBe(0);
    expect(sha256(reply.stdout)).toBe(sha256(data.subarray(start, start + length)));
    expect(result).toEqual({ complete: true, bytes: length });
  });

  it('reports a file shorter than announced as incomplete (the socket is dropped)', async () => {
    const pool = createBufferPool(65_536, 2);
    const { reply, result } = await serveOnce(0, data.length + 10, 65_536, pool);
    expect(reply.code).not.toBe(0);
    expect(result).toEqual({ complete: false, bytes: data.length });
    expect(pool.free()).toBe(0); // buffers of a broken transfer are never reused
  });

  it('gives its two buffers back to the pool after a complete transfer', async () => {
    const pool = createBufferPool(4096, 2);
    await serveOnce(0, 10_000, 4096, pool);
    expect(pool.free()).toBe(2);
    await serveOnce(5, 10_000, 4096, pool);
    expect(pool.free()).toBe(2);
  });
});
