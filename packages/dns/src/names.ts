import { DecodeError } from './message.ts';

/** Longest name on the wire (RFC 1035 §2.3.4), length octets included. */
export const MAX_NAME_WIRE = 255;
const MAX_POINTERS = 64;

function escapeLabel(buf: Uint8Array, start: number, len: number): string {
  let out = '';
  for (let i = start; i < start + len; i++) {
    const c = buf[i] as number;
    if (c === 0x2e || c === 0x5c) out += `\\${String.fromCharCode(c)}`;
    else if (c > 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else out += `\\${c.toString().padStart(3, '0')}`;
  }
  return out;
}

/**
 * Reads a (possibly compressed) name at `offset`: the name in presentation form and the offset
 * after it in the uncompressed stream. Pointers must go strictly backwards (no loops possible)
 * and at most 64 of them; the name must fit in 255 octets.
 */
export function readName(
  buf: Uint8Array,
  offset: number,
): { name: string; end: number } | DecodeError {
  let pos = offset;
  let end = -1;
  let wire = 1;
  let hops = 0;
  let name = '';
  for (;;) {
    if (pos >= buf.length)
      return new DecodeError('truncated', `name at ${offset} runs past the end`);
    const len = buf[pos] as number;
    if (len === 0) {
      if (end < 0) end = pos + 1;
      return { name: name === '' ? '.' : name, end };
    }
    const top = len & 0xc0;
    if (top === 0xc0) {
      if (pos + 1 >= buf.length) return new DecodeError('truncated', `pointer at ${pos} cut short`);
      const target = ((len & 0x3f) << 8) | (buf[pos + 1] as number);
      if (target >= pos)
        return new DecodeError(
          'bad-pointer',
          `pointer at ${pos} to ${target} does not go backwards`,
        );
      if (++hops > MAX_POINTERS)
        return new DecodeError(
          'pointer-loop',
          `name at ${offset}: more than ${MAX_POINTERS} pointers`,
        );
      if (end < 0) end = pos + 2;
      pos = target;
      continue;
    }
    if (top !== 0)
      return new DecodeError('bad-label-type', `label type 0x${top.toString(16)} at ${pos}`);
    wire += len + 1;
    if (wire > MAX_NAME_WIRE)
      return new DecodeError('name-too-long', `name at ${offset} is longer than 255 octets`);
    if (pos + 1 + len > buf.length)
      return new DecodeError('truncated', `label at ${pos} runs past the end`);
    name += `${escapeLabel(buf, pos + 1, len)}.`;
    pos += 1 + len;
  }
}

/**
 * Splits a presentation name into wire labels (escapes `\.`, `\\`, `\DDD` understood), or an
 * Error naming the problem. `.` and `` are the root.
 */
export function nameToLabels(name: string): Uint8Array[] | Error {
  if (name === '.' || name === '') return [];
  const labels: Uint8Array[] = [];
  let cur: number[] = [];
  let wire = 1;
  const flush = (): Error | null => {
    if (cur.length === 0) return new Error(`${JSON.stringify(name)}: empty label`);
    if (cur.length > 63) return new Error(`${JSON.stringify(name)}: label longer than 63 octets`);
    wire += cur.length + 1;
    labels.push(Uint8Array.from(cur));
    cur = [];
    return null;
  };
  for (let i = 0; i < name.length; i++) {
    const ch = name.charCodeAt(i);
    if (ch === 0x2e) {
      const err = flush();
      if (err) return err;
    } else if (ch === 0x5c) {
      const digits = name.slice(i + 1, i + 4);
      if (/^\d{3}$/.test(digits) && Number(digits) < 256) {
        cur.push(Number(digits));
        i += 3;
      } else if (i + 1 < name.length) {
        cur.push(name.charCodeAt(++i) & 0xff);
      } else return new Error(`${JSON.stringify(name)}: dangling backslash`);
    } else if (ch > 0xff) {
      return new Error(`${JSON.stringify(name)}: non-latin1 character (use \\DDD escapes)`);
    } else cur.push(ch);
  }
  if (cur.length > 0) {
    const err = flush();
    if (err) return err;
  }
  if (wire > MAX_NAME_WIRE) return new Error(`${JSON.stringify(name)}: longer than 255 octets`);
  return labels;
}

/** Lower-cases ASCII letters only (DNS names compare case-insensitively on ASCII). */
export function lowerName(name: string): string {
  return name.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Absolute form: `pc1.prolo` → `pc1.prolo.`. */
export function absolute(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}
