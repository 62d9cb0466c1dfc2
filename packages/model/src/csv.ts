/**
 * RFC 4180 CSV records, shared by every importer (the machine CSV here; the same rules as udb's
 * user import). Pure: a syntax problem is the record's `error`, never a throw.
 */
/** One record of a delimited file: its cells, untrimmed, and what was wrong with its syntax. */
export interface RawRecord {
  cells: string[];
  error?: string;
}

const isLineEnd = (c: string | undefined) => c === '\n' || c === '\r';

/** Skips one line ending (CRLF, LF or a lone CR) at `i`. */
function skipLineEnd(text: string, i: number): number {
  if (text[i] === '\r') i++;
  if (text[i] === '\n') i++;
  return i;
}

interface Field {
  value: string;
  end: number;
  error?: string;
}

/** The quoted field opening at `open`: `""` is one quote, newlines are kept. */
function readQuoted(text: string, open: number): Field {
  let value = '';
  let i = open + 1;
  for (;;) {
    const close = text.indexOf('"', i);
    if (close === -1) {
      return { value: value + text.slice(i), end: text.length, error: 'unterminated quoted field' };
    }
    value += text.slice(i, close);
    if (text[close + 1] !== '"') {
      i = close + 1;
      break;
    }
    value += '"';
    i = close + 2;
  }
  // After the closing quote: spaces, then a comma or the end of the line.
  let error: string | undefined;
  while (i < text.length && text[i] !== ',' && !isLineEnd(text[i])) {
    if (text[i] !== ' ' && text[i] !== '\t') error = 'unexpected text after a closing quote';
    value += text[i];
    i++;
  }
  return error ? { value, end: i, error } : { value, end: i };
}

/** A field starting at `start`, quoted if its first non-blank character is `"`. */
function readField(text: string, start: number): Field {
  let i = start;
  while (text[i] === ' ' || text[i] === '\t') i++;
  if (text[i] === '"') return readQuoted(text, i);
  i = start;
  while (i < text.length && text[i] !== ',' && !isLineEnd(text[i])) i++;
  return { value: text.slice(start, i), end: i };
}

/**
 * RFC 4180 records: `,` between fields, CRLF, LF or CR between records, `"…"` fields holding
 * commas, newlines and doubled quotes. Lenient where RFC 4180 is silent: blanks around a quoted
 * field, a `"` inside an unquoted field is kept as text. A syntax problem is the record's
 * `error`, never a throw. A final line ending does not start another record.
 */
export function splitCsv(text: string): RawRecord[] {
  const records: RawRecord[] = [];
  let i = 0;
  do {
    const cells: string[] = [];
    let error: string | undefined;
    for (;;) {
      const field = readField(text, i);
      cells.push(field.value);
      error ??= field.error;
      i = field.end;
      if (text[i] !== ',') break;
      i++;
    }
    i = skipLineEnd(text, i);
    records.push(error ? { cells, error } : { cells });
  } while (i < text.length);
  return records;
}
