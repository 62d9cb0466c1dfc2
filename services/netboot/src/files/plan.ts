import { decideRange } from './range.ts';

/** What identifies one version of a file: from `stat`/`fstat`. */
export interface FileIdentity {
  size: number;
  mtimeMs: number;
  ino: number;
}

/** The conditional and range request headers, as received (lower-case names). */
export interface ConditionalHeaders {
  'if-match'?: string | undefined;
  'if-none-match'?: string | undefined;
  'if-modified-since'?: string | undefined;
  'if-unmodified-since'?: string | undefined;
  'if-range'?: string | undefined;
  range?: string | undefined;
}

export interface Validators {
  /** Strong entity tag from (size, mtime, inode), quoted. */
  etag: string;
  /** `Last-Modified` value (HTTP date, second resolution). */
  lastModified: string;
  /** mtime in whole seconds, for date comparisons. */
  mtimeSec: number;
}

/** The answer to a GET or HEAD of an existing regular file. */
export type Plan =
  | { status: 200; start: 0; end: number; length: number; reason: 'whole' | 'multi' | 'if-range' }
  | { status: 206; start: number; end: number; length: number }
  | { status: 304 }
  | { status: 412 }
  | { status: 416 };

export function validatorsOf(file: FileIdentity): Validators {
  const mtimeSec = Math.floor(file.mtimeMs / 1000);
  const tag = `${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}-${file.ino.toString(16)}`;
  return { etag: `"${tag}"`, lastModified: new Date(mtimeSec * 1000).toUTCString(), mtimeSec };
}

/** Seconds since the epoch of an HTTP date, or null when it does not parse. */
function httpDateSec(value: string): number | null {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}

/** `*` or a comma-separated list of entity tags; `weak` uses the weak comparison (§8.8.3.2). */
function tagListMatches(list: string, etag: string, weak: boolean): boolean {
  if (list.trim() === '*') return true;
  for (const raw of list.split(',')) {
    let tag = raw.trim();
    if (tag.startsWith('W/')) {
      if (!weak) continue;
      tag = tag.slice(2);
    }
    if (tag === etag) return true;
  }
  return false;
}

/** RFC 9110 §13.2.2 steps 1–4: a precondition status, or null to go on. */
function preconditions(h: ConditionalHeaders, v: Validators): 304 | 412 | null {
  const ifMatch = h['if-match'];
  if (ifMatch !== undefined) {
    if (!tagListMatches(ifMatch, v.etag, false)) return 412;
  } else if (h['if-unmodified-since'] !== undefined) {
    const since = httpDateSec(h['if-unmodified-since']);
    if (since !== null && v.mtimeSec > since) return 412;
  }
  const ifNoneMatch = h['if-none-match'];
  if (ifNoneMatch !== undefined) {
    if (tagListMatches(ifNoneMatch, v.etag, true)) return 304;
  } else if (h['if-modified-since'] !== undefined) {
    const since = httpDateSec(h['if-modified-since']);
    if (since !== null && v.mtimeSec <= since) return 304;
  }
  return null;
}

/** If-Range (§13.1.5): the range applies only if the validator still matches exactly. */
function ifRangeHolds(value: string | undefined, v: Validators): boolean {
  if (value === undefined) return true;
  const trimmed = value.trim();
  if (trimmed.startsWith('"')) return trimmed === v.etag;
  if (trimmed.startsWith('W/')) return false;
  return trimmed === v.lastModified;
}

/**
 * The status and byte span to answer. Range is honoured on GET only (RFC 9110 §14.2: GET is the
 * only method with range handling); a HEAD gets the 200 headers of the whole file.
 */
export function planResponse(
  method: 'GET' | 'HEAD',
  headers: ConditionalHeaders,
  file: FileIdentity,
  v: Validators,
): Plan {
  const pre = preconditions(headers, v);
  if (pre !== null) return { status: pre };
  const whole = { status: 200, start: 0, end: file.size - 1, length: file.size } as const;
  if (method !== 'GET' || headers.range === undefined) return { ...whole, reason: 'whole' };
  const range = decideRange(headers.range, file.size);
  if (range.kind === 'none') return { ...whole, reason: 'whole' };
  if (!ifRangeHolds(headers['if-range'], v)) return { ...whole, reason: 'if-range' };
  if (range.kind === 'multi') return { ...whole, reason: 'multi' };
  if (range.kind === 'unsatisfiable') return { status: 416 };
  return { status: 206, start: range.start, end: range.end, length: range.end - range.start + 1 };
}

/** Content-Type by extension: iPXE scripts and text are text/plain, the rest octet-stream. */
export function contentTypeOf(path: string): string {
  const lower = path.toLowerCase();
  if (lower.endsWith('.ipxe') || lower.endsWith('.txt')) return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}
