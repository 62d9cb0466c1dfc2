import { type RawRecord, splitCsv } from './csv.ts';
import { MAX_IMPORT_ROWS } from './registration.ts';

/** Columns of `lanctl machine import FILE.csv`; hostname and mac are required. */
export const MACHINE_CSV_COLUMNS = [
  'hostname',
  'mac',
  'room',
  'mtype',
  'ip',
  'rfs',
  'hfs',
  'aliases',
  'boot_profile',
  'uuid',
] as const;
type CsvColumn = (typeof MACHINE_CSV_COLUMNS)[number];
const REQUIRED: CsvColumn[] = ['hostname', 'mac'];

export interface MachineCsvError {
  /** 1-based data row (records after the header); 0 for the file as a whole. */
  row: number;
  /** The column concerned, when there is one. */
  field?: string;
  message: string;
}

export interface MachineCsv {
  /** Machine creations as the API takes them (empty cells left out: the API's defaults apply). */
  rows: Record<string, unknown>[];
  /** The data row number of each entry of `rows`. */
  lines: number[];
  errors: MachineCsvError[];
}

const fileError = (message: string): MachineCsv => ({
  rows: [],
  lines: [],
  errors: [{ row: 0, message }],
});

/** The header's columns, or the error naming unknown, repeated or missing ones. */
function readHeader(cells: string[]): CsvColumn[] | string {
  const names = cells.map((c) => c.trim().toLowerCase());
  const unknown = names.filter((n) => !(MACHINE_CSV_COLUMNS as readonly string[]).includes(n));
  if (unknown.length > 0) {
    return `header: unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => JSON.stringify(u)).join(', ')} (known: ${MACHINE_CSV_COLUMNS.join(', ')})`;
  }
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) return `header: column "${twice}" appears twice`;
  const missing = REQUIRED.filter((c) => !names.includes(c));
  if (missing.length > 0)
    return `header: missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`;
  return names as CsvColumn[];
}

/** One cell into the API's field value: numbers for rfs/hfs, a list for aliases. */
class CellError {
  constructor(readonly message: string) {}
}

function cellValue(column: CsvColumn, text: string): unknown {
  if (column === 'rfs' || column === 'hfs') {
    return /^\d{1,9}$/.test(text) ? Number(text) : new CellError('expected a whole number');
  }
  if (column === 'aliases') return text.split(/\s+/).filter(Boolean);
  return text;
}

/** One data record: the API fields, or its errors. */
function readRow(
  header: CsvColumn[],
  record: RawRecord,
  row: number,
): Record<string, unknown> | MachineCsvError[] {
  if (record.error) return [{ row, message: record.error }];
  const cells = record.cells.map((c) => c.trim());
  while (cells.length > header.length && cells.at(-1) === '') cells.pop();
  if (cells.length !== header.length) {
    return [
      {
        row,
        message: `expected ${header.length} cells (${header.join(', ')}), got ${cells.length}`,
      },
    ];
  }
  const fields: Record<string, unknown> = {};
  const errors: MachineCsvError[] = [];
  header.forEach((column, c) => {
    const value = cells[c]!;
    if (value === '') return;
    const parsed = cellValue(column, value);
    if (parsed instanceof CellError) errors.push({ row, field: column, message: parsed.message });
    else fields[column] = parsed;
  });
  for (const column of REQUIRED) {
    if (fields[column] === undefined && !errors.some((e) => e.field === column)) {
      errors.push({ row, field: column, message: 'required' });
    }
  }
  return errors.length > 0 ? errors : fields;
}

/**
 * A machine CSV (header row first, RFC 4180 quoting) into API rows and per-row errors; never
 * throws. Cells are trimmed; blank records are skipped but counted, so row numbers match what a
 * spreadsheet shows below its header.
 */
export function parseMachineCsv(text: string): MachineCsv {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const records = splitCsv(body);
  const blank = (cells: string[]) => cells.every((c) => c.trim() === '');
  const first = records.findIndex((r) => !blank(r.cells));
  if (first === -1) return fileError('the file is empty: expected a header row, then machines');
  const headerRecord = records[first]!;
  if (headerRecord.error) return fileError(`header: ${headerRecord.error}`);
  const header = readHeader(headerRecord.cells);
  if (typeof header === 'string') return fileError(header);
  const out: MachineCsv = { rows: [], lines: [], errors: [] };
  records.slice(first + 1).forEach((record, i) => {
    if (blank(record.cells)) return;
    const read = readRow(header, record, i + 1);
    if (Array.isArray(read)) out.errors.push(...read);
    else {
      out.rows.push(read);
      out.lines.push(i + 1);
    }
  });
  if (out.rows.length + out.errors.length === 0) return fileError('no machines below the header');
  if (out.lines.length > MAX_IMPORT_ROWS) {
    return fileError(`${out.lines.length} machines: at most ${MAX_IMPORT_ROWS} in one import`);
  }
  return out;
}
