import { GROUPS, type Group } from '@lanctl/model';
import { type RawRecord, splitCsv, splitTsv } from './records.ts';

export type ImportFormat = 'csv' | 'tsv' | 'json';

/** One user as the file gives it; names and logins are checked by the planner, not here. */
export interface ParsedRow {
  /** 1-based data row: records (or JSON array items) after the header, blank ones counted. */
  row: number;
  firstname: string;
  lastname: string;
  login?: string;
  password?: string;
  group?: Group;
}

export interface ParseError {
  /** As `ParsedRow.row`; 0 for the file as a whole (bad JSON, a bad header row). */
  row: number;
  reason: string;
}

export interface ParseResult {
  rows: ParsedRow[];
  errors: ParseError[];
}

type Column = 'firstname' | 'lastname' | 'login' | 'password' | 'group';
type Fields = Partial<Record<Column, string>>;

/** Column names and JSON keys, after `normaliseKey`. */
const COLUMNS: ReadonlyMap<string, Column> = new Map([
  ['firstname', 'firstname'],
  ['first_name', 'firstname'],
  ['prénom', 'firstname'],
  ['prenom', 'firstname'],
  ['lastname', 'lastname'],
  ['last_name', 'lastname'],
  ['nom', 'lastname'],
  ['login', 'login'],
  ['username', 'login'],
  ['password', 'password'],
  ['group', 'group'],
  ['type', 'group'],
]);
const KNOWN = 'firstname, lastname, login, password, group';

/** `First Name`, `first-name`, `FIRST_NAME` → `first_name`. */
const normaliseKey = (key: string) =>
  key
    .normalize('NFC')
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/gu, '_');

/**
 * Reads an import file into rows and per-row errors; never throws. CSV is RFC 4180, TSV is
 * tab-separated without quoting, JSON is an array of objects (SADM jsonimport's
 * `{id, username, first_name, last_name, password}` included; `id` is ignored). A byte order mark
 * is dropped, cells are trimmed, blank records skipped. Without a header row, SADM batchimport's
 * layouts: `First<TAB>Last`, or one login a line (names = login) with an optional `:password`.
 */
export function parseImport(format: ImportFormat, text: string): ParseResult {
  try {
    const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
    if (format === 'json') return parseJson(body);
    return parseRecords(format === 'csv' ? splitCsv(body) : splitTsv(body));
  } catch (error) {
    // Not expected; a parser bug must still come back as an answer, not a 500.
    return { rows: [], errors: [{ row: 0, reason: `unreadable file: ${String(error)}` }] };
  }
}

/** The trimmed cells without trailing empty ones. */
const significant = (cells: string[]) => fit(cells, 0);

interface Layout {
  /** The column of each cell, in order; for the headerless one-column layout: `login`. */
  columns: Column[];
  /** Headerless login lines: split `login:password`. */
  loginLines: boolean;
  describe: string;
}

/** A header row names login, or both names, and only known columns, each once. */
function readHeader(cells: string[]): Layout | string | null {
  const columns = cells.map((cell) => COLUMNS.get(normaliseKey(cell)));
  const has = (c: Column) => columns.includes(c);
  if (!has('login') && !(has('firstname') && has('lastname'))) return null;
  const unknown = cells.filter((_, i) => columns[i] === undefined);
  if (unknown.length > 0) {
    return `header: unknown column ${JSON.stringify(unknown[0])} (known: ${KNOWN})`;
  }
  const twice = columns.find((c, i) => columns.indexOf(c) !== i);
  if (twice) return `header: column ${twice} appears twice`;
  const known = columns as Column[];
  return { columns: known, loginLines: false, describe: known.join(', ') };
}

function headerless(cells: string[]): Layout | null {
  if (cells.length === 2) {
    return {
      columns: ['firstname', 'lastname'],
      loginLines: false,
      describe: 'first name, last name',
    };
  }
  if (cells.length === 1) return { columns: ['login'], loginLines: true, describe: 'login' };
  return null;
}

function parseRecords(records: RawRecord[]): ParseResult {
  const result: ParseResult = { rows: [], errors: [] };
  const first = records.findIndex((r) => significant(r.cells).length > 0);
  if (first === -1) return result;
  const firstCells = significant(records[first]!.cells);
  const header = records[first]!.error ? null : readHeader(firstCells);
  if (typeof header === 'string') {
    result.errors.push({ row: 0, reason: header });
    return result;
  }
  const layout = header ?? headerless(firstCells);
  const dataStart = header ? first + 1 : 0;
  records.slice(dataStart).forEach((record, i) => {
    addRecord(result, i + 1, record, layout);
  });
  return result;
}

/** Trimmed cells; empty ones past `expected` are dropped (spreadsheets pad rows with `,,`). */
function fit(cells: string[], expected: number): string[] {
  const out = cells.map((cell) => cell.trim());
  while (out.length > expected && out.at(-1) === '') out.pop();
  return out;
}

function addRecord(result: ParseResult, row: number, record: RawRecord, layout: Layout | null) {
  const cells = fit(record.cells, layout?.columns.length ?? 0);
  if (cells.every((cell) => cell === '')) return;
  if (record.error) {
    result.errors.push({ row, reason: record.error });
    return;
  }
  const got = cells.length;
  if (!layout) {
    const expected = 'expected 2 (first name, last name) or 1 (login[:password])';
    result.errors.push({ row, reason: `no header row, and ${got} cells: ${expected}` });
    return;
  }
  if (got !== layout.columns.length) {
    const expected = `${layout.columns.length} cells (${layout.describe})`;
    result.errors.push({ row, reason: `expected ${expected}, got ${got}` });
    return;
  }
  const fields: Fields = {};
  layout.columns.forEach((column, i) => {
    fields[column] = cells[i];
  });
  if (layout.loginLines) splitLoginLine(fields);
  pushRow(result, row, fields);
}

/** SADM `--logins --passwords`: `login:password`, split at the first colon. */
function splitLoginLine(fields: Fields) {
  const line = fields.login ?? '';
  const colon = line.indexOf(':');
  if (colon === -1) return;
  fields.login = line.slice(0, colon).trim();
  fields.password = line.slice(colon + 1).trim();
}

/** Empty cells are absent; no names but a login means names = login (SADM `--logins`). */
function toRow(row: number, fields: Fields): ParsedRow | string {
  const login = fields.login || undefined;
  const password = fields.password || undefined;
  let group: Group | undefined;
  if (fields.group) {
    const name = fields.group.toLowerCase();
    group = GROUPS.find((g) => g === name);
    if (!group)
      return `unknown group ${JSON.stringify(fields.group)} (expected ${GROUPS.join(', ')})`;
  }
  let firstname = fields.firstname ?? '';
  let lastname = fields.lastname ?? '';
  if (!firstname && !lastname) {
    if (!login) return 'no first name, last name or login';
    firstname = login;
    lastname = login;
  }
  if (!firstname) return 'first name is empty';
  if (!lastname) return 'last name is empty';
  return {
    row,
    firstname,
    lastname,
    ...(login !== undefined && { login }),
    ...(password !== undefined && { password }),
    ...(group !== undefined && { group }),
  };
}

function pushRow(result: ParseResult, row: number, fields: Fields) {
  const parsed = toRow(row, fields);
  if (typeof parsed === 'string') result.errors.push({ row, reason: parsed });
  else result.rows.push(parsed);
}

function parseJson(text: string): ParseResult {
  const result: ParseResult = { rows: [], errors: [] };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    result.errors.push({ row: 0, reason: `invalid JSON: ${message}` });
    return result;
  }
  if (!Array.isArray(data)) {
    result.errors.push({ row: 0, reason: 'expected a JSON array of objects' });
    return result;
  }
  data.forEach((item: unknown, i) => {
    const fields = jsonFields(item);
    if (typeof fields === 'string') result.errors.push({ row: i + 1, reason: fields });
    else pushRow(result, i + 1, fields);
  });
  return result;
}

/** One JSON item's fields: string values (trimmed), null = absent, `id` ignored. */
function jsonFields(item: unknown): Fields | string {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return 'expected an object';
  }
  const fields: Fields = {};
  for (const [key, value] of Object.entries(item)) {
    const normal = normaliseKey(key);
    if (normal === 'id') continue; // SADM jsonimport: the prologin.org site's user id.
    const column = COLUMNS.get(normal);
    if (!column) return `unknown key ${JSON.stringify(key)} (known: ${KNOWN})`;
    if (fields[column] !== undefined) return `key ${JSON.stringify(key)}: ${column} given twice`;
    if (value === null) continue;
    if (typeof value !== 'string') return `key ${JSON.stringify(key)}: expected a string`;
    fields[column] = value.trim();
  }
  return fields;
}
