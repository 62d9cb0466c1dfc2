import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitCsv, splitTsv } from './records.ts';

const cells = (text: string) => splitCsv(text).map((r) => r.cells);

describe('splitCsv', () => {
  it.each([
    ['a,b', [['a', 'b']]],
    ['a,b\n', [['a', 'b']]],
    [
      'a,b\r\nc,d\r\n',
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
    ],
    ['a\rb', [['a'], ['b']]],
    ['"a,b",c', [['a,b', 'c']]],
    ['"say ""hi""",x', [['say "hi"', 'x']]],
    [
      '"line 1\nline 2",x\ny,z',
      [
        ['line 1\nline 2', 'x'],
        ['y', 'z'],
      ],
    ],
    ['"crlf\r\ninside"', [['crlf\r\ninside']]],
    ['a,,', [['a', '', '']]],
    ['""', [['']]],
    ['', [['']]],
    ['\n\n', [[''], ['']]],
    ['a, "b" ,c', [['a', 'b ', 'c']]],
    ['a"b,c', [['a"b', 'c']]],
  ])('%j', (text, expected) => {
    const records = splitCsv(text);
    expect(records.map((r) => r.cells)).toEqual(expected);
    expect(records.every((r) => r.error === undefined)).toBe(true);
  });

  it('reports an unterminated quote on its record', () => {
    expect(splitCsv('a,b\n"c,d\ne')).toEqual([
      { cells: ['a', 'b'] },
      { cells: ['c,d\ne'], error: 'unterminated quoted field' },
    ]);
  });

  it('reports text after a closing quote', () => {
    expect(splitCsv('"a"b,c\nd')).toEqual([
      { cells: ['ab', 'c'], error: 'unexpected text after a closing quote' },
      { cells: ['d'] },
    ]);
  });

  it('reads back what an RFC 4180 writer wrote', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'é', ',', '"', '\n', '\r', ' ', 'x') });
    const table = fc.array(fc.array(cell, { minLength: 2, maxLength: 4 }), {
      minLength: 1,
      maxLength: 5,
    });
    const quote = (c: string) => `"${c.replaceAll('"', '""')}"`;
    fc.assert(
      fc.property(table, fc.constantFrom('\n', '\r\n'), (rows, eol) => {
        const text = rows.map((row) => row.map(quote).join(',')).join(eol) + eol;
        expect(cells(text)).toEqual(rows);
      }),
    );
  });
});

describe('splitTsv', () => {
  it('splits lines on any line ending and cells on tabs, without quoting', () => {
    expect(splitTsv('a\tb\r\n"c"\t"d,e"\nf\rg\n').map((r) => r.cells)).toEqual([
      ['a', 'b'],
      ['"c"', '"d,e"'],
      ['f'],
      ['g'],
    ]);
  });
});
