import { isApiError } from '@lanctl/client';
import { type Column, formatRecord, formatTable } from './table.ts';

/** Prints one clear line to stderr and exits non-zero: how every CLI error ends. */
export function fail(message: string, code = 1): never {
  process.stderr.write(`lanctl: ${message}\n`);
  process.exit(code);
}

/** A mistake in how the command was called (exit 2), as opposed to a failed operation (1). */
export function usageError(message: string): never {
  fail(message, 2);
}

/**
 * One line for any error. API errors list each field detail (`mac: expected ...`), which already
 * carries what the summary message says; a 401 adds how to get a working token.
 */
export function errorLine(e: unknown): string {
  if (!isApiError(e)) return e instanceof Error ? e.message : String(e);
  const text = e.details.length
    ? e.details.map((d) => `${d.field}: ${d.message}`).join('; ')
    : e.message;
  return e.status === 401 ? `${text} (run \`lanctl login\` to store a valid token)` : text;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A listing: JSON array with `json`, otherwise an aligned table (a note on stderr if empty). */
export function printList<R>(rows: R[], columns: Column<R>[], json: boolean, what: string): void {
  if (json) printJson(rows);
  else if (rows.length === 0) process.stderr.write(`no ${what}\n`);
  else process.stdout.write(formatTable(rows, columns));
}

/** One record: JSON with `json`, otherwise `label: value` lines. */
export function printRecord(record: unknown, entries: [string, unknown][], json: boolean): void {
  if (json) printJson(record);
  else process.stdout.write(formatRecord(entries));
}

/** A short confirmation for humans, or the resulting record with `json`. */
export function printDone(record: unknown, summary: string, json: boolean): void {
  if (json) printJson(record);
  else process.stdout.write(`${summary}\n`);
}
