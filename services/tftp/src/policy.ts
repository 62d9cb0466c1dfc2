import {
  ERROR_CODE,
  MAX_BLKSIZE,
  MIN_BLKSIZE,
  type RequestPacket,
  type TftpOption,
} from '@lanctl/tftp-wire';

/** Why a request gets an ERROR: the `reason` label of `lanctl_tftp_requests_refused_total`. */
export type RefuseReason =
  | 'write_refused'
  | 'bad_mode'
  | 'bad_name'
  | 'traversal'
  | 'outside_root'
  | 'not_found'
  | 'not_readable';

export interface Refusal {
  kind: 'refuse';
  code: number;
  message: string;
  reason: RefuseReason;
}

export type TransferMode = 'octet' | 'netascii';

export interface Serve {
  kind: 'serve';
  /** Relative to root, normalized: no leading `/`, no `.` or empty segment. */
  path: string;
  mode: TransferMode;
}

export const refuse = (code: number, reason: RefuseReason, message: string): Refusal => ({
  kind: 'refuse',
  code,
  reason,
  message,
});

/**
 * What to do with a request, before touching the file system: read-only, octet or netascii,
 * aliases first, a leading `/` maps into root (as tftp-hpa does), no `..`, no backslash.
 */
export function decideRequest(
  request: RequestPacket,
  aliases: Readonly<Record<string, string>>,
): Serve | Refusal {
  if (request.op === 'wrq') {
    return refuse(ERROR_CODE.accessViolation, 'write_refused', 'read-only server');
  }
  if (request.mode !== 'octet' && request.mode !== 'netascii') {
    return refuse(ERROR_CODE.illegalOperation, 'bad_mode', `unsupported mode "${request.mode}"`);
  }
  const stripped = request.filename.replace(/^\/+/, '');
  const name = Object.hasOwn(aliases, request.filename)
    ? aliases[request.filename]!
    : Object.hasOwn(aliases, stripped)
      ? aliases[stripped]!
      : stripped;
  if (name.includes('\\')) {
    return refuse(ERROR_CODE.accessViolation, 'bad_name', 'backslash in file name');
  }
  if ([...name].some((c) => c.charCodeAt(0) < 0x20 || c === '\x7f')) {
    return refuse(ERROR_CODE.accessViolation, 'bad_name', 'control character in file name');
  }
  const segments = name.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) {
    return refuse(ERROR_CODE.accessViolation, 'traversal', '".." in file name');
  }
  if (segments.length === 0) return refuse(ERROR_CODE.fileNotFound, 'not_found', 'file not found');
  return { kind: 'serve', path: segments.join('/'), mode: request.mode };
}

export interface Limits {
  maxBlksize: number;
  maxWindowsize: number;
  timeoutMs: number;
}

export interface Negotiated {
  /** The OACK to send, or null (no option understood: DATA 1 comes at once, RFC 2347). */
  oack: TftpOption[] | null;
  blksize: number;
  windowsize: number;
  timeoutMs: number;
}

const integer = (value: string) => (/^\d{1,10}$/.test(value) ? Number(value) : Number.NaN);

/**
 * RFC 2347 negotiation: the first of each option counts, options not understood or with values
 * out of range are left out of the OACK (the client then uses the default), blksize and
 * windowsize are lowered to what the server grants, tsize answers the real size.
 */
export function negotiate(options: TftpOption[], size: number, limits: Limits): Negotiated {
  const out: Negotiated = {
    oack: null,
    blksize: 512,
    windowsize: 1,
    timeoutMs: limits.timeoutMs,
  };
  const oack: TftpOption[] = [];
  const seen = new Set<string>();
  for (const { name, value } of options) {
    if (seen.has(name)) continue;
    seen.add(name);
    const n = integer(value);
    if (name === 'blksize' && n >= MIN_BLKSIZE) {
      out.blksize = Math.min(n, limits.maxBlksize, MAX_BLKSIZE);
      oack.push({ name, value: String(out.blksize) });
    } else if (name === 'windowsize' && n >= 1 && n <= 65535) {
      out.windowsize = Math.min(n, limits.maxWindowsize);
      oack.push({ name, value: String(out.windowsize) });
    } else if (name === 'timeout' && n >= 1 && n <= 255) {
      out.timeoutMs = n * 1000;
      oack.push({ name, value: String(n) });
    } else if (name === 'tsize' && n >= 0) {
      oack.push({ name, value: String(size) });
    }
  }
  if (oack.length > 0) out.oack = oack;
  return out;
}
