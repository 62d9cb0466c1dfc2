import type { ImportRowError, MachineCsv, MachineImportResult } from '@lanctl/model';
import { ApiError } from '../api.ts';

/**
 * The machine import's bookkeeping, kept pure: which file row each sent row came from, the
 * problems of each row, the rows without problems, and the dry runs that find them all.
 * Rows are numbered as `parseMachineCsv` and `lanctl machine import` number them: the data rows
 * below the header, from 1.
 */

/** Rows as the API takes them, with the file row each one came from. */
export interface Batch {
  rows: Record<string, unknown>[];
  lines: number[];
}

/** One problem of one file row (`field` is the column, when there is one). */
export interface RowProblem {
  line: number;
  field?: string;
  message: string;
}

/** What the wizard previews: the rows it would send, and the problems found before sending. */
export interface ImportSource extends Batch {
  /** Problems of rows that could not even be read (they are never sent). */
  unread: RowProblem[];
}

/** The outcome of the dry runs of a source. */
export interface Analysis {
  /** Every problem, by file row then field. */
  problems: RowProblem[];
  /** The rows without problems: what a real import sends. */
  clean: Batch;
  /** The address each clean row would get, by file row (from the last dry run). */
  addresses: Map<number, string>;
}

/** The parsed file as a source, or null when the file as a whole cannot be read (row 0). */
export function sourceOf(csv: MachineCsv): ImportSource | null {
  if (csv.errors.some((e) => e.row === 0)) return null;
  const unread = csv.errors.map((e) => ({
    line: e.row,
    message: e.message,
    ...(e.field ? { field: e.field } : {}),
  }));
  return { rows: csv.rows, lines: csv.lines, unread };
}

/** The API's errors (rows numbered within what was sent) on the file's rows. */
export function toFileRows(errors: readonly ImportRowError[], lines: readonly number[]) {
  return errors.map(
    (e): RowProblem => ({
      line: lines[e.row - 1] ?? e.row,
      message: e.message,
      ...(e.field ? { field: e.field } : {}),
    }),
  );
}

/** Problems grouped by file row, each row's in the order found. */
export function problemsByLine(problems: readonly RowProblem[]): Map<number, RowProblem[]> {
  const out = new Map<number, RowProblem[]>();
  for (const p of problems) {
    const list = out.get(p.line);
    if (list) list.push(p);
    else out.set(p.line, [p]);
  }
  return out;
}

/** The batch without the file rows that have a problem. */
export function withoutProblems(batch: Batch, problems: readonly RowProblem[]): Batch {
  const bad = new Set(problems.map((p) => p.line));
  const out: Batch = { rows: [], lines: [] };
  batch.lines.forEach((line, i) => {
    if (bad.has(line)) return;
    out.rows.push(batch.rows[i]!);
    out.lines.push(line);
  });
  return out;
}

export type SendImport = (
  rows: Record<string, unknown>[],
  dryRun: boolean,
) => Promise<MachineImportResult>;

/** The row errors of a refused import, or null for any other failure. */
export function importErrors(error: unknown): ImportRowError[] | null {
  if (!(error instanceof ApiError) || error.code !== 'import_invalid') return null;
  return error.details as unknown as ImportRowError[];
}

/** The most dry runs one analysis makes: schema errors, then conflicts, then the clean rows. */
const MAX_PASSES = 5;

const byLine = (a: RowProblem, b: RowProblem) => a.line - b.line;

/**
 * Every problem of a source, by dry runs: mdb answers schema errors alone first, then repeats
 * and conflicts, so the rows found bad are left out and the rest dry-run again until mdb accepts
 * them (their addresses are then the ones a real import of exactly those rows would get).
 * Nothing is written. Failures other than `import_invalid` are thrown.
 */
export async function analyse(source: ImportSource, send: SendImport): Promise<Analysis> {
  const problems: RowProblem[] = [...source.unread];
  let batch: Batch = { rows: source.rows, lines: source.lines };
  for (let pass = 0; pass < MAX_PASSES && batch.rows.length > 0; pass++) {
    try {
      const answer = await send(batch.rows, true);
      const addresses = new Map(answer.results.map((r) => [batch.lines[r.row - 1] ?? r.row, r.ip]));
      return { problems: problems.sort(byLine), clean: batch, addresses };
    } catch (e) {
      const errors = importErrors(e);
      if (!errors) throw e;
      const found = toFileRows(errors, batch.lines);
      const rest = withoutProblems(batch, found);
      if (found.length === 0 || rest.rows.length === batch.rows.length) throw e;
      problems.push(...found);
      batch = rest;
    }
  }
  // Every row has a problem (or mdb kept finding new ones): nothing would be written.
  return { problems: problems.sort(byLine), clean: { rows: [], lines: [] }, addresses: new Map() };
}

/** One line of the preview table. */
export interface PreviewRow {
  line: number;
  hostname: string;
  mac: string;
  room: string;
  mtype: string;
  /** The address the row would get, the one it asks for, or '' when unknown. */
  ip: string;
  problems: RowProblem[];
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** Every row of the source in file order, with its address or its problems. */
export function previewRows(source: ImportSource, analysis: Analysis): PreviewRow[] {
  const problems = problemsByLine(analysis.problems);
  const rows: PreviewRow[] = source.rows.map((r, i) => {
    const line = source.lines[i]!;
    return {
      line,
      hostname: text(r.hostname),
      mac: text(r.mac),
      room: text(r.room),
      mtype: text(r.mtype),
      ip: analysis.addresses.get(line) ?? text(r.ip),
      problems: problems.get(line) ?? [],
    };
  });
  const read = new Set(source.lines);
  for (const [line, list] of problems) {
    if (read.has(line)) continue;
    rows.push({ line, hostname: '', mac: '', room: '', mtype: '', ip: '', problems: list });
  }
  return rows.sort((a, b) => a.line - b.line);
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "48 machines will be created", or "48 rows without problems, 2 rows with problems". */
export function countsText(analysis: Analysis): string {
  const n = analysis.clean.rows.length;
  const bad = new Set(analysis.problems.map((p) => p.line)).size;
  if (bad === 0) return `${plural(n, 'machine')} will be created`;
  return `${plural(n, 'row')} without problems, ${plural(bad, 'row')} with problems`;
}

/** A problem as one line of text: "mac: invalid MAC address". */
export const problemText = (p: RowProblem) => (p.field ? `${p.field}: ${p.message}` : p.message);
