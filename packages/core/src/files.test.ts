import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './files.ts';

const dir = mkdtempSync(join(tmpdir(), 'lanctl-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const modeOf = (path: string) => statSync(path).mode & 0o777;

/** Runs `fn` with the process umask set to `mask`, restoring it afterwards. */
function withUmask<T>(mask: number, fn: () => T): T {
  const previous = process.umask(mask);
  try {
    return fn();
  } finally {
    process.umask(previous);
  }
}

describe('writeFileAtomic', () => {
  it('writes string content with mode 0600 by default', () => {
    const path = join(dir, 'a.txt');
    writeFileAtomic(path, 'hello\nwörld\n');
    expect(readFileSync(path, 'utf8')).toBe('hello\nwörld\n');
    expect(modeOf(path)).toBe(0o600);
  });

  it('writes bytes exactly, with the mode asked for', () => {
    const path = join(dir, 'b.bin');
    const bytes = Buffer.from([0, 1, 2, 0xff, 0xfe, 0]);
    writeFileAtomic(path, bytes, 0o644);
    expect(readFileSync(path).equals(bytes)).toBe(true);
    expect(modeOf(path)).toBe(0o644);
  });

  it('replaces an existing file, content and mode, leaving no temp file behind', () => {
    const path = join(dir, 'c.txt');
    writeFileSync(path, 'old content that is longer', { mode: 0o644 });
    writeFileAtomic(path, 'new');
    expect(readFileSync(path, 'utf8')).toBe('new');
    expect(modeOf(path)).toBe(0o600);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('writes an empty file', () => {
    const path = join(dir, 'empty');
    writeFileAtomic(path, '');
    expect(statSync(path).size).toBe(0);
  });

  it('applies the mode exactly, whatever the umask', () => {
    const path = join(dir, 'umask.pub');
    withUmask(0o077, () => writeFileAtomic(path, 'x', 0o644));
    expect(modeOf(path)).toBe(0o644);
    withUmask(0o022, () => writeFileAtomic(path, 'x', 0o664));
    expect(modeOf(path)).toBe(0o664);
  });

  it('fails when the directory does not exist', () => {
    expect(() => writeFileAtomic(join(dir, 'no', 'such', 'file'), 'x')).toThrow(/ENOENT/);
  });
});
