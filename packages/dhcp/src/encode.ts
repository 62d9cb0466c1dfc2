import { OPTION_END, OPTION_OVERLOAD, OPTION_PAD } from './decode.ts';
import {
  type DhcpMessage,
  FILE_LENGTH,
  FILE_OFFSET,
  HEADER_LENGTH,
  MAGIC_COOKIE,
  SNAME_LENGTH,
  SNAME_OFFSET,
} from './message.ts';
import { ipBytes } from './options.ts';

export interface EncodeOptions {
  /**
   * The largest message the receiver accepts (its option 57, at least 576). When the options do
   * not fit, the rest go into the file field, then sname (option 52, overload), if those are
   * empty; options still left over are dropped (the least important go last: put them last).
   * Default: no limit (every option in the options area).
   */
  maxSize?: number;
}

function writeIp(buf: Buffer, at: number, text: string): void {
  ipBytes(text).copy(buf, at);
}

/** One option as wire TLVs: values over 255 bytes become several instances (RFC 3396). */
function tlvs(code: number, value: Buffer): Buffer[] {
  if (value.length === 0) return [Buffer.from([code, 0])];
  const out: Buffer[] = [];
  for (let at = 0; at < value.length; at += 255) {
    const chunk = value.subarray(at, Math.min(at + 255, value.length));
    out.push(Buffer.concat([Buffer.from([code, chunk.length]), chunk]));
  }
  return out;
}

/** Splits the TLVs into areas of the given capacities (each needs room for END). */
function fill(items: Buffer[], capacities: number[]): { areas: Buffer[][]; dropped: number } {
  const areas: Buffer[][] = capacities.map(() => []);
  let area = 0;
  let used = 0;
  let dropped = 0;
  for (const item of items) {
    while (area < capacities.length && used + item.length + 1 > capacities[area]!) {
      area++;
      used = 0;
    }
    if (area === capacities.length) {
      dropped++;
      continue;
    }
    areas[area]!.push(item);
    used += item.length;
  }
  return { areas, dropped };
}

/** Writes the fixed header and the magic cookie into `buf` (zeroed). */
function writeHeader(buf: Buffer, message: DhcpMessage): void {
  buf[0] = message.op & 255;
  buf[1] = message.htype & 255;
  buf[2] = message.hlen & 255;
  buf[3] = message.hops & 255;
  buf.writeUInt32BE(message.xid >>> 0, 4);
  buf.writeUInt16BE(message.secs & 0xffff, 8);
  buf.writeUInt16BE(message.flags & 0xffff, 10);
  writeIp(buf, 12, message.ciaddr);
  writeIp(buf, 16, message.yiaddr);
  writeIp(buf, 20, message.siaddr);
  writeIp(buf, 24, message.giaddr);
  message.chaddr.copy(buf, 28, 0, Math.min(16, message.chaddr.length));
  buf.write(message.sname, SNAME_OFFSET, SNAME_LENGTH, 'latin1');
  buf.write(message.file, FILE_OFFSET, FILE_LENGTH, 'latin1');
  buf.writeUInt32BE(MAGIC_COOKIE, HEADER_LENGTH);
}

const encodable = (code: number) =>
  code !== OPTION_PAD &&
  code !== OPTION_END &&
  code !== OPTION_OVERLOAD &&
  code >= 0 &&
  code <= 255;

/** Bytes of an option's TLVs (RFC 3396 splits values over 255 bytes). */
const tlvLength = (value: Buffer) =>
  value.length === 0 ? 2 : value.length + 2 * Math.ceil(value.length / 255);

/** Writes an option's TLVs at `at`; returns the offset after them. */
function writeTlvs(buf: Buffer, at: number, code: number, value: Buffer): number {
  if (value.length === 0) {
    buf[at] = code;
    buf[at + 1] = 0;
    return at + 2;
  }
  for (let from = 0; from < value.length; from += 255) {
    const length = Math.min(255, value.length - from);
    buf[at] = code;
    buf[at + 1] = length;
    value.copy(buf, at + 2, from, from + length);
    at += 2 + length;
  }
  return at;
}

/**
 * Encodes a message (RFC 2131/2132). Options are written in the map's order, END-terminated;
 * pad (0), end (255) and overload (52) entries of the map are ignored (52 is computed here).
 * String fields longer than sname (64) / file (128) bytes are cut. One allocation when the
 * options fit the main area (the common case).
 */
export function encode(message: DhcpMessage, encodeOptions: EncodeOptions = {}): Buffer {
  let total = 0;
  for (const [code, value] of message.options) if (encodable(code)) total += tlvLength(value);
  const max = encodeOptions.maxSize;
  if (max === undefined || HEADER_LENGTH + 4 + total + 1 <= max) {
    const out = Buffer.alloc(HEADER_LENGTH + 4 + total + 1);
    writeHeader(out, message);
    let at = HEADER_LENGTH + 4;
    for (const [code, value] of message.options) {
      if (encodable(code)) at = writeTlvs(out, at, code, value);
    }
    out[at] = OPTION_END;
    return out;
  }
  return encodeOverloaded(message, max);
}

/** The options do not fit `max`: the rest go into file, then sname (option 52). */
function encodeOverloaded(message: DhcpMessage, max: number): Buffer {
  const items: Buffer[] = [];
  for (const [code, value] of message.options)
    if (encodable(code)) items.push(...tlvs(code, value));
  const head = Buffer.alloc(HEADER_LENGTH + 4);
  writeHeader(head, message);
  // Overload: keep 3 bytes of the main area for option 52 itself.
  const mainCapacity = Math.max(0, max - HEADER_LENGTH - 4 - 3);
  const capacities = [mainCapacity];
  const useFile = message.file === '';
  const useSname = message.sname === '';
  if (useFile) capacities.push(FILE_LENGTH);
  if (useSname) capacities.push(SNAME_LENGTH);
  const { areas } = fill(items, capacities);
  const fileArea = useFile ? areas[1]! : [];
  const snameArea = useSname ? areas[useFile ? 2 : 1]! : [];
  const overload = (fileArea.length ? 1 : 0) | (snameArea.length ? 2 : 0);
  const put = (area: Buffer[], at: number, length: number) => {
    const bytes = Buffer.concat([...area, Buffer.from([OPTION_END])]);
    head.fill(0, at, at + length);
    bytes.copy(head, at);
  };
  if (overload & 1) put(fileArea, FILE_OFFSET, FILE_LENGTH);
  if (overload & 2) put(snameArea, SNAME_OFFSET, SNAME_LENGTH);
  const main = overload ? [Buffer.from([OPTION_OVERLOAD, 1, overload]), ...areas[0]!] : areas[0]!;
  return Buffer.concat([head, ...main, Buffer.from([OPTION_END])]);
}
