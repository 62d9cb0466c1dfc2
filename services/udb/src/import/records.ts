import type { RawRecord } from '@lanctl/model';

/** RFC 4180 CSV is shared with mdb's machine import: `splitCsv` in @lanctl/model. */
export { type RawRecord, splitCsv } from '@lanctl/model';

/** Tab-separated values: one record a line (CRLF, LF or CR), no quoting at all. */
export function splitTsv(text: string): RawRecord[] {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  return lines.map((line) => ({ cells: line.split('\t') }));
}
