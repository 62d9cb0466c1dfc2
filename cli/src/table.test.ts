import { describe, expect, it } from 'vitest';
import { formatRecord, formatTable } from './table.ts';

describe('formatTable', () => {
  const columns = [
    { header: 'NAME', value: (r: { name: string; n: number }) => r.name },
    { header: 'N', value: (r: { name: string; n: number }) => r.n, align: 'right' as const },
    { header: 'NOTE', value: () => '' },
  ];

  it('aligns columns, right-aligns numbers and leaves no trailing blanks', () => {
    const text = formatTable(
      [
        { name: 'a', n: 100 },
        { name: 'longer', n: 2 },
      ],
      columns,
    );
    expect(text).toBe('NAME      N  NOTE\na       100\nlonger    2\n');
  });

  it('keeps one row per line whatever the cell contains', () => {
    const text = formatTable([{ name: 'x\ny\u001b[31m', n: 1 }], columns.slice(0, 1));
    expect(text).toBe('NAME\nx y [31m\n');
  });
});

describe('formatRecord', () => {
  it('aligns labels and renders null as empty', () => {
    expect(
      formatRecord([
        ['name', 'a'],
        ['description', null],
      ]),
    ).toBe('name:         a\ndescription:\n');
  });
});
