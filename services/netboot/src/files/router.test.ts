import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  curl,
  headersOf,
  metricValue,
  sha256,
  startFileServer,
  type TestFileServer,
} from './testing.ts';

let dir: string;
let server: TestFileServer;
let big: Buffer;
const SIZE = 3 * 1024 * 1024 + 17;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netboot-files-'));
  const root = join(dir, 'boot');
  await mkdir(join(root, 'sub'), { recursive: true });
  big = randomBytes(SIZE);
  await writeFile(join(root, 'initrd.img'), big);
  await writeFile(join(root, 'boot.ipxe'), '#!ipxe\nchain next.ipxe\n');
  await writeFile(join(root, 'empty'), '');
  await writeFile(join(dir, 'secret'), 'do not serve');
  await symlink('initrd.img', join(root, 'link.img'));
  await symlink('../secret', join(root, 'escape'));
  await symlink('/etc', join(root, 'etc'));
  server = await startFileServer({ servers: { rfs0: { root } } });
});
afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const url = (path: string) => `${server.url}/files/rfs0/${path}`;

describe('boot files over HTTP (curl)', () => {
  it('serves a large file byte for byte with its headers', async () => {
    const out = join(dir, 'out.img');
    const r = await curl(['-D', '-', '-o', out, url('initrd.img')]);
    expect(r.code).toBe(0);
    const { status, headers } = headersOf(r.stdout.toString());
    expect(status).toBe(200);
    expect(headers.get('content-length')).toBe(String(SIZE));
    expect(headers.get('content-type')).toBe('application/octet-stream');
    expect(headers.get('accept-ranges')).toBe('bytes');
    expect(headers.get('etag')).toMatch(/^"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+"$/);
    expect(headers.get('last-modified')).toMatch(/GMT$/);
    expect(headers.get('cache-control')).toContain('max-age=60');
    expect(sha256(await readFile(out))).toBe(sha256(big));
    const done = server.transfers.find((t) => t.path === 'initrd.img' && t.outcome === 'done');
    expect(done).toMatchObject({ server: 'rfs0', ip: '127.0.0.1', status: 200, bytes: SIZE });
    expect(
      await metricValue(server.metrics, 'lanctl_netboot_file_bytes_total', { server: 'rfs0' }),
    ).toBeGreaterThanOrEqual(SIZE);
  });

  it('serves iPXE scripts as text/plain, follows links inside root, serves empty files', async () => {
    const script = await curl(['-D', '-', url('boot.ipxe')]);
    const type = headersOf(script.stdout.toString()).headers.get('content-type');
    expect(type).toBe('text/plain; charset=utf-8');
    expect(script.stdout.toString()).toContain('#!ipxe');
    expect(sha256((await curl([url('link.img')])).stdout)).toBe(sha256(big));
    const empty = await curl(['-D', '-', url('empty')]);
    expect(headersOf(empty.stdout.toString()).headers.get('content-length')).toBe('0');
  });

  it('answers HEAD with the headers only', async () => {
    const r = await curl(['-I', url('initrd.img')]);
    const { status, headers } = headersOf(r.stdout.toString());
    expect(status).toBe(200);
    expect(headers.get('content-length')).toBe(String(SIZE));
    expect(r.stdout.length).toBeLessThan(1000);
  });

  it.each([
    ['0-99', 0, 99],
    ['1000-', 1000, SIZE - 1],
    ['-500', SIZE - 500, SIZE - 1],
    [`10-${SIZE * 2}`, 10, SIZE - 1],
  ])('answers Range %s with 206 and the exact bytes', async (spec, start, end) => {
    const r = await curl(['-D', '-', '-o', join(dir, 'part'), '-r', spec, url('initrd.img')]);
    const { status, headers } = headersOf(r.stdout.toString());
    expect(status).toBe(206);
    expect(headers.get('content-range')).toBe(`bytes ${start}-${end}/${SIZE}`);
    expect(headers.get('content-length')).toBe(String(end - start + 1));
    expect(sha256(await readFile(join(dir, 'part')))).toBe(sha256(big.subarray(start, end + 1)));
  });

  it('answers an unsatisfiable range with 416 and bytes */size', async () => {
    const r = await curl(['-D', '-', '-o', '/dev/null', '-r', `${SIZE}-`, url('initrd.img')]);
    const { status, headers } = headersOf(r.stdout.toString());
    expect(status).toBe(416);
    expect(headers.get('content-range')).toBe(`bytes */${SIZE}`);
    expect(server.transfers.some((t) => t.outcome === 'bad-range')).toBe(true);
  });

  it('answers several ranges with the whole file (200)', async () => {
    const r = await curl(['-D', '-', '-o', join(dir, 'multi'), '-r', '0-1,5-6', url('initrd.img')]);
    expect(headersOf(r.stdout.toString()).status).toBe(200);
    expect((await readFile(join(dir, 'multi'))).length).toBe(SIZE);
  });

  it('resumes a partial download with -C -', async () => {
    const out = join(dir, 'resumed.img');
    await writeFile(out, big.subarray(0, 123_456));
    const r = await curl(['-C', '-', '-o', out, url('initrd.img')]);
    expect(r.code).toBe(0);
    expect(sha256(await readFile(out))).toBe(sha256(big));
  });

  it('answers conditional requests with 304 (ETag and date) and honours If-Range', async () => {
    const head = headersOf((await curl(['-I', url('initrd.img')])).stdout.toString()).headers;
    const etag = head.get('etag') ?? '';
    const inm = await curl(['-D', '-', '-H', `If-None-Match: ${etag}`, url('initrd.img')]);
    expect(headersOf(inm.stdout.toString()).status).toBe(304);
    expect(inm.stdout.length).toBeLessThan(1000);
    const ims = await curl([
      '-D',
      '-',
      '-o',
      '/dev/null',
      '-z',
      join(dir, 'out.img'),
      url('initrd.img'),
    ]);
    expect(headersOf(ims.stdout.toString()).status).toBe(304);
    const ok = ['-D', '-', '-o', '/dev/null', '-r', '0-9', '-H'];
    const fresh = await curl([...ok, `If-Range: ${etag}`, url('initrd.img')]);
    expect(headersOf(fresh.stdout.toString()).status).toBe(206);
    const stale = await curl([...ok, 'If-Range: "stale"', url('initrd.img')]);
    expect(headersOf(stale.stdout.toString()).status).toBe(200);
  });

  it.each([
    ['../secret', 400],
    ['%2e%2e/secret', 400],
    ['sub%2f..%2f..%2fsecret', 400],
    ['a%00b', 400],
    ['a%5cb', 400],
    ['escape', 404],
    ['etc/passwd', 404],
    ['sub', 404],
    ['missing', 404],
  ])('refuses %s with %i', async (path, status) => {
    const r = await curl(['--path-as-is', '-o', '/dev/null', '-w', '%{http_code}', url(path)]);
    expect(Number(r.stdout.toString())).toBe(status);
  });

  it('counts refusals by reason, names unknown servers and refuses other methods', async () => {
    await curl(['--path-as-is', '-o', '/dev/null', url('../secret')]);
    const refused = { server: 'rfs0', reason: 'dot-segment' };
    expect(
      await metricValue(server.metrics, 'lanctl_netboot_file_refused_total', refused),
    ).toBeGreaterThan(0);
    expect(server.logs.some((l) => l.includes('boot file path refused'))).toBe(true);
    const unknown = await curl([`${server.url}/files/nope/initrd.img`]);
    expect(JSON.parse(unknown.stdout.toString()).error.message).toContain('nope');
    const post = await curl(['-D', '-', '-X', 'POST', url('initrd.img')]);
    const { status, headers } = headersOf(post.stdout.toString());
    expect(status).toBe(405);
    expect(headers.get('allow')).toBe('GET, HEAD');
  });
});
