/**
 * The utmp file format (glibc, `struct utmp` of <bits/utmp.h> on 64-bit and 32-bit Linux: 384
 * bytes a record, native byte order, `ut_tv` as two int32). Pure: bytes in, records out.
 */

export const UTMP_RECORD_SIZE = 384;

/** `ut_type` values (<bits/utmp.h>). */
export const UtmpType = {
  EMPTY: 0,
  RUN_LVL: 1,
  BOOT_TIME: 2,
  NEW_TIME: 3,
  OLD_TIME: 4,
  INIT_PROCESS: 5,
  LOGIN_PROCESS: 6,
  USER_PROCESS: 7,
  DEAD_PROCESS: 8,
  ACCOUNTING: 9,
} as const;

export interface UtmpRecord {
  type: number;
  pid: number;
  /** Device name without `/dev/` (`tty1`, `pts/0`, `:0`...). */
  line: string;
  id: string;
  user: string;
  host: string;
  /** Seconds since the epoch. */
  time: number;
}

export interface UtmpFile {
  records: UtmpRecord[];
  /** Bytes after the last whole record (a record being written); ignored as glibc does. */
  trailingBytes: number;
}

const FIELDS = {
  type: 0,
  pid: 4,
  line: [8, 32],
  id: [40, 4],
  user: [44, 32],
  host: [76, 256],
  tvSec: 340,
} as const;

/** A fixed-size C string: up to the first NUL, or the whole field when it is full. */
function cString(bytes: Uint8Array, [offset, size]: readonly [number, number]): string {
  const field = bytes.subarray(offset, offset + size);
  const end = field.indexOf(0);
  return Buffer.from(end === -1 ? field : field.subarray(0, end)).toString('utf8');
}

export function decodeUtmpRecord(bytes: Uint8Array, littleEndian = true): UtmpRecord {
  if (bytes.length !== UTMP_RECORD_SIZE) {
    throw new RangeError(`a utmp record is ${UTMP_RECORD_SIZE} bytes, got ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return {
    type: view.getInt16(FIELDS.type, littleEndian),
    pid: view.getInt32(FIELDS.pid, littleEndian),
    line: cString(bytes, FIELDS.line),
    id: cString(bytes, FIELDS.id),
    user: cString(bytes, FIELDS.user),
    host: cString(bytes, FIELDS.host),
    time: view.getInt32(FIELDS.tvSec, littleEndian),
  };
}

/** Every whole record of a utmp file's content; never throws. */
export function decodeUtmp(bytes: Uint8Array, littleEndian = true): UtmpFile {
  const count = Math.floor(bytes.length / UTMP_RECORD_SIZE);
  const records: UtmpRecord[] = [];
  for (let i = 0; i < count; i++) {
    const start = i * UTMP_RECORD_SIZE;
    records.push(decodeUtmpRecord(bytes.subarray(start, start + UTMP_RECORD_SIZE), littleEndian));
  }
  return { records, trailingBytes: bytes.length - count * UTMP_RECORD_SIZE };
}

function putString(bytes: Uint8Array, [offset, size]: readonly [number, number], text: string) {
  const encoded = Buffer.from(text, 'utf8');
  if (encoded.length > size) throw new RangeError(`"${text}" does not fit in ${size} bytes`);
  bytes.set(encoded, offset);
}

/** One record as glibc writes it (used to build test files and by `lanctl` tooling). */
export function encodeUtmpRecord(record: UtmpRecord, littleEndian = true): Uint8Array {
  const bytes = new Uint8Array(UTMP_RECORD_SIZE);
  const view = new DataView(bytes.buffer);
  view.setInt16(FIELDS.type, record.type, littleEndian);
  view.setInt32(FIELDS.pid, record.pid, littleEndian);
  putString(bytes, FIELDS.line, record.line);
  putString(bytes, FIELDS.id, record.id);
  putString(bytes, FIELDS.user, record.user);
  putString(bytes, FIELDS.host, record.host);
  view.setInt32(FIELDS.tvSec, record.time, littleEndian);
  return bytes;
}

export function encodeUtmp(records: UtmpRecord[], littleEndian = true): Uint8Array {
  return Buffer.concat(records.map((r) => encodeUtmpRecord(r, littleEndian)));
}

/**
 * The logins of live user sessions, each once, in file order: SADM's `who -q` (USER_PROCESS
 * entries with a user name; `isAlive` drops entries whose process is gone, as `who` does).
 */
export function loggedInUsers(file: UtmpFile, isAlive: (pid: number) => boolean): string[] {
  const users = new Set<string>();
  for (const r of file.records) {
    if (r.type === UtmpType.USER_PROCESS && r.user !== '' && isAlive(r.pid)) users.add(r.user);
  }
  return [...users];
}
