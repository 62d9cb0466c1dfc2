import {
  DecodeError,
  type DhcpMessage,
  FILE_LENGTH,
  FILE_OFFSET,
  HEADER_LENGTH,
  MAGIC_COOKIE,
  SNAME_LENGTH,
  SNAME_OFFSET,
} from './message.ts';

export const OPTION_PAD = 0;
export const OPTION_END = 255;
export const OPTION_OVERLOAD = 52;

const ip = (buf: Uint8Array, at: number) =>
  `${buf[at]}.${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}`;

/** A NUL-terminated latin1 field. */
function cString(buf: Buffer, at: number, length: number): string {
  const field = buf.subarray(at, at + length);
  const nul = field.indexOf(0);
  return field.subarray(0, nul === -1 ? length : nul).toString('latin1');
}

/**
 * Reads the TLVs of one option area into `into` (concatenating repeated codes, RFC 3396).
 * Stops at END or at the end of the area; returns an error for an option running past it.
 */
function readOptions(area: Buffer, into: Map<number, Buffer[]>): DecodeError | null {
  let at = 0;
  while (at < area.length) {
    const code = area[at]!;
    if (code === OPTION_END) return null;
    if (code === OPTION_PAD) {
      at++;
      continue;
    }
    if (at + 1 >= area.length) {
      return new DecodeError('truncated-option', `option ${code} at ${at}: no length byte`);
    }
    const length = area[at + 1]!;
    if (at + 2 + length > area.length) {
      return new DecodeError(
        'truncated-option',
        `option ${code} at ${at}: length ${length} runs past the end (${area.length - at - 2} left)`,
      );
    }
    const parts = into.get(code);
    const value = area.subarray(at + 2, at + 2 + length);
    if (parts) parts.push(value);
    else into.set(code, [value]);
    at += 2 + length;
  }
  return null;
}

/**
 * Decodes a DHCPv4 message (RFC 2131 header, RFC 2132 options with overload, RFC 3396 long
 * options). Never throws: anything that is not a well-formed DHCP message is a DecodeError.
 * The returned message owns copies of its byte fields (it does not alias `buf`).
 */
export function decode(input: Uint8Array): DhcpMessage | DecodeError {
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buf.length < HEADER_LENGTH + 4) {
    return new DecodeError('too-short', `${buf.length} bytes, a DHCP message has at least 240`);
  }
  const hlen = buf[2]!;
  if (hlen > 16) return new DecodeError('bad-hlen', `hlen ${hlen} > 16`);
  if (buf.readUInt32BE(HEADER_LENGTH) !== MAGIC_COOKIE) {
    return new DecodeError('no-magic-cookie', 'no DHCP magic cookie (a BOOTP message?)');
  }
  const parts = new Map<number, Buffer[]>();
  const main = readOptions(buf.subarray(HEADER_LENGTH + 4), parts);
  if (main) return main;
  const overload = parts.get(OPTION_OVERLOAD);
  parts.delete(OPTION_OVERLOAD);
  let overloadValue = 0;
  if (overload) {
    const value = Buffer.concat(overload);
    if (value.length !== 1 || value[0]! < 1 || value[0]! > 3) {
      return new DecodeError('bad-overload', `option 52 must be one byte 1, 2 or 3`);
    }
    overloadValue = value[0]!;
    // RFC 2131 §4.1: the file field is read before sname.
    if (overloadValue & 1) {
      const err = readOptions(buf.subarray(FILE_OFFSET, FILE_OFFSET + FILE_LENGTH), parts);
      if (err) return err;
    }
    if (overloadValue & 2) {
      const err = readOptions(buf.subarray(SNAME_OFFSET, SNAME_OFFSET + SNAME_LENGTH), parts);
      if (err) return err;
    }
    parts.delete(OPTION_OVERLOAD);
  }
  const options = new Map<number, Buffer>();
  for (const [code, values] of parts) options.set(code, Buffer.from(Buffer.concat(values)));
  return {
    op: buf[0]!,
    htype: buf[1]!,
    hlen,
    hops: buf[3]!,
    xid: buf.readUInt32BE(4),
    secs: buf.readUInt16BE(8),
    flags: buf.readUInt16BE(10),
    ciaddr: ip(buf, 12),
    yiaddr: ip(buf, 16),
    siaddr: ip(buf, 20),
    giaddr: ip(buf, 24),
    chaddr: Buffer.from(buf.subarray(28, 44)),
    sname: overloadValue & 2 ? '' : cString(buf, SNAME_OFFSET, SNAME_LENGTH),
    file: overloadValue & 1 ? '' : cString(buf, FILE_OFFSET, FILE_LENGTH),
    options,
  };
}

/**
 * The message type (option 53) of a BOOTREQUEST read straight from the options area, without
 * decoding: what a server needs to shed load cheaply. Null when the bytes are not a well-formed
 * request with option 53 in the main area (an overloaded or malformed message): decode it then.
 */
export function peekMessageType(buf: Uint8Array): number | null {
  const start = HEADER_LENGTH + 4;
  if (buf.length < start || buf[0] !== 1) return null;
  const h = HEADER_LENGTH;
  if (
    ((buf[h]! << 24) | (buf[h + 1]! << 16) | (buf[h + 2]! << 8) | buf[h + 3]!) >>> 0 !==
    MAGIC_COOKIE
  ) {
    return null;
  }
  let at = start;
  while (at + 1 < buf.length) {
    const code = buf[at]!;
    if (code === OPTION_END) return null;
    if (code === OPTION_PAD) {
      at++;
      continue;
    }
    const length = buf[at + 1]!;
    if (at + 2 + length > buf.length) return null;
    if (code === 53) return length === 1 ? buf[at + 2]! : null;
    at += 2 + length;
  }
  return null;
}
