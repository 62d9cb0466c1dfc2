import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { unifiedDiff } from './diff.ts';

const dir = mkdtempSync(join(tmpdir(), 'lanctl-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Applies our diff with patch(1): the result must be the new text. */
function patched(before: string, diff: string): string {
  const file = join(dir, 'f');
  writeFileSync(file, before);
  writeFileSync(join(dir, 'p'), diff);
  execFileSync('patch', ['-s', '-p0', file, join(dir, 'p')], { timeout: 10_000 });
  return execFileSync('cat', [file]).toString();
}

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', 'x', 'x')).toBe('');
  });

  it('prints hunks like diff -u', () => {
    const before = `${['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'].join('\n')}\n`;
    const after = before.replace('5\n', 'five\n');
    expect(unifiedDiff(before, after, 'a/f', 'b/f')).toBe(
      [
        '--- a/f',
        '+++ b/f',
        '@@ -2,7 +2,7 @@',
        ' 2',
        ' 3',
        ' 4',
        '-5',
        '+five',
        ' 6',
        ' 7',
        ' 8',
        '',
      ].join('\n'),
    );
  });

  it('shows a new or removed file against /dev/null', () => {
    expect(unifiedDiff(null, 'x\n', 'f', 'f')).toBe('--- /dev/null\n+++ f\n@@ -0,0 +1 @@\n+x\n');
    expect(unifiedDiff('x\n', null, 'f', 'f')).toBe('--- f\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n');
  });

  it('round-trips through patch(1) (property)', () => {
    const text = fc
      .array(fc.constantFrom('a', 'b', 'c', 'host x {', '}', ''), { maxLength: 30 })
      .map((lines) => lines.map((l) => `${l}\n`).join(''));
    fc.assert(
      fc.property(text, text, (before, after) => {
        const diff = unifiedDiff(before, after, 'f', 'f');
        expect(diff === '').toBe(before === after);
        if (diff !== '') expect(patched(before, diff)).toBe(after);
      }),
      { numRuns: 60 },
    );
  });
});
