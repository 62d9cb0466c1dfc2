/** One column of a human table: a header and how to render a row's cell. */
export interface Column<R> {
  header: string;
  value(row: R): string | number | boolean | null | undefined;
  align?: 'right';
}

/** Control characters (newlines, ANSI escapes) in free text would break or spoof the layout. */
const clean = (value: unknown): string =>
  value === null || value === undefined ? '' : String(value).replace(/\p{Cc}/gu, ' ');

/** Aligned columns separated by two spaces; no trailing blanks. Ends with a newline. */
export function formatTable<R>(rows: R[], columns: Column<R>[]): string {
  const cells = rows.map((row) => columns.map((c) => clean(c.value(row))));
  const widths = columns.map((c, i) =>
    Math.max(c.header.length, ...cells.map((r) => r[i]!.length)),
  );
  const line = (values: string[]) =>
    values
      .map((v, i) =>
        columns[i]!.align === 'right' ? v.padStart(widths[i]!) : v.padEnd(widths[i]!),
      )
      .join('  ')
      .trimEnd();
  return `${[line(columns.map((c) => c.header)), ...cells.map(line)].join('\n')}\n`;
}

/** A single record as `label:  value` lines, labels aligned. */
export function formatRecord(entries: [label: string, value: unknown][]): string {
  const width = Math.max(...entries.map(([label]) => label.length)) + 1;
  return entries
    .map(([label, value]) => `${`${label}:`.padEnd(width)}  ${clean(value)}`.trimEnd())
    .join('\n')
    .concat('\n');
}
