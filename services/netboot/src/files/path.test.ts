import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFilePath, resolveFile } from './path.ts';

describe('parseFilePath', () => {
  it.each([
    ['/rfs0/vmlinuz', 'rfs0', 'vmlinuz'],
    ['/rfs0/boot/initrd.img', 'rfs0', 'boot/initrd.img'],
    ['/rfs0/a%20b', 'rfs0', 'a b'],
    ['/rfs0/..foo', 'rfs0', '..foo'],
    ['/rfs0/caf%C3%A9', 'rfs0', 'café'],
  ])('%j → %s, %s', (url, server, path) => {
    expect(parseFilePath(url)).toEqual({ ok: true, server, path });
  });

  it.each([
    ['/rfs0/../etc/passwd', 'dot-segment'],
    ['/rfs0/a/./b', 'dot-segment'],
    ['/rfs0/%2e%2e/etc/passwd', 'dot-segment'],
    ['/rfs0/%2E%2e', 'dot-segment'],
    ['/rfs0/a%2f..%2fb', 'encoded-slash'],
    ['/rfs0/a%00b', 'nul'],
    ['/rfs0/a%5cb', 'backslash'],
    ['/rfs0/a\\b', 'backslash'],
    ['/rfs0//etc/passwd', 'empty-segment'],
    ['/rfs0/', 'empty-segment'],
    ['/rfs0', 'empty-segment'],
    ['/', 'empty-segment'],
    ['/rfs0/%zz', 'bad-encoding'],
    ['/rfs0/%C3', 'bad-encoding'],
    [`/rfs0/${'a'.repeat(2000)}`, 'too-long'],
  ])('refuses %j (%s)', (url, reason) => {
    expect(parseFilePath(url)).toMatchObject({ ok: false, reason });
  });

  it('never throws and never lets a dot segment, NUL or backslash through (100k inputs)', () => {
    const unit = fc.constantFrom(...'/.%2eEfF5cC0a\\\u0000b'.split(''));
    const url = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit, maxLength: 40 }));
    fc.assert(
      fc.property(url, (u) => {
        const p = parseFilePath(u);
        if (!p.ok) return;
        for (const seg of [p.server, ...p.path.split('/')]) {
          expect(seg === '' || seg === '.' || seg === '..').toBe(false);
          expect(seg.includes('\0') || seg.includes('\\')).toBe(false);
        }
      }),
      { numRuns: 100_000 },
    );
  });
});

describe('resolveFile', () => {
  let dir: string;
  let root: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'netboot-path-'));
    root = join(dir, 'root');
    await mkdir(join(root, 'sub'), { recursive: true });
    await writeFile(join(root, 'sub', 'kernel'), 'k');
    await writeFile(join(dir, 'secret'), 's');
    await symlink('sub/kernel', join(root, 'inside-link'));
    await symlink('../secret', join(root, 'outside-link'));
    await symlink('/etc', join(root, 'etc'));
    await symlink('loop', join(root, 'loop'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('finds regular files, following links that stay inside root', async () => {
    expect(await resolveFile(root, 'sub/kernel')).toMatchObject({ ok: true });
    expect(await resolveFile(root, 'inside-link')).toMatchObject({
      ok: true,
      real: join(root, 'sub', 'kernel'),
    });
  });
  it.each([
    ['outside-link', 'outside-root'],
    ['etc/passwd', 'outside-root'],
    ['loop', 'outside-root'],
    ['sub', 'not-regular'],
    ['missing', 'not-found'],
    ['sub/kernel/x', 'not-found'],
  ])('refuses %s (%s)', async (path, reason) => {
    expect(await resolveFile(root, path)).toEqual({ ok: false, reason });
  });
});
