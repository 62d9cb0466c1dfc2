import { mkdirSync, realpathSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TempDir, tempDir } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileStore, type FileStore } from './files.ts';

let dir: TempDir;
let root: string;
let store: FileStore;

beforeAll(async () => {
  dir = await tempDir('lanctl-tftp-files-');
  root = join(realpathSync(dir.path), 'root');
  mkdirSync(join(root, 'sub'), { recursive: true });
  writeFileSync(join(dir.path, 'secret'), 'outside');
  writeFileSync(join(root, 'a.bin'), 'A');
  writeFileSync(join(root, 'sub', 'text'), 'x\ny\r');
  symlinkSync('../secret', join(root, 'up'));
  symlinkSync(join(dir.path, 'secret'), join(root, 'abs'));
  symlinkSync('sub/text', join(root, 'in'));
  symlinkSync('loop', join(root, 'loop'));
  store = createFileStore(root, 10);
});
afterAll(() => dir.cleanup());

const text = async (p: string, mode: 'octet' | 'netascii' = 'octet') => {
  const got = await store.read(p, mode);
  return got instanceof Uint8Array ? Buffer.from(got).toString('latin1') : got;
};

describe('createFileStore', () => {
  it('reads files under root, through symlinks that stay inside', async () => {
    expect(await text('a.bin')).toBe('A');
    expect(await text('in')).toBe('x\ny\r');
  });

  it('converts netascii', async () => {
    expect(await text('sub/text', 'netascii')).toBe('x\r\ny\r\0');
  });

  it.each([
    ['up', 2, 'outside_root'],
    ['abs', 2, 'outside_root'],
    ['loop', 2, 'outside_root'],
    ['missing', 1, 'not_found'],
    ['a.bin/x', 1, 'not_found'],
    ['sub', 1, 'not_found'],
  ])('refuses %s with error %i (%s)', async (path, code, reason) => {
    expect(await store.read(path, 'octet')).toMatchObject({ kind: 'refuse', code, reason });
  });

  it('reads a file again once it changed (size or mtime), and caches at most cache_bytes', async () => {
    expect(await text('a.bin')).toBe('A');
    writeFileSync(join(root, 'a.bin'), 'B');
    utimesSync(join(root, 'a.bin'), new Date(2000, 1, 1), new Date(2000, 1, 1));
    expect(await text('a.bin')).toBe('B');
    writeFileSync(join(root, 'big'), 'more than ten bytes');
    expect(await text('big')).toBe('more than ten bytes');
    expect(store.cached().bytes).toBeLessThanOrEqual(10);
  });

  it('shares one read between concurrent requests of a file', async () => {
    writeFileSync(join(root, 'c'), 'C');
    const [x, y] = await Promise.all([store.read('c', 'octet'), store.read('c', 'octet')]);
    expect(x).toBe(y);
  });
});
