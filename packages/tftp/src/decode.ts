import {
  type AckPacket,
  type DataPacket,
  DecodeError,
  type ErrorPacket,
  MAX_BLKSIZE,
  OPCODE,
  type TftpOption,
  type TftpPacket,
} from './packet.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** NUL-terminated strings from `offset` to the end; DecodeError if the last one lacks its NUL. */
function strings(buf: Uint8Array, offset: number): string[] | DecodeError {
  const out: string[] = [];
  let start = offset;
  while (start < buf.length) {
    const end = buf.indexOf(0, start);
    if (end < 0)
      return new DecodeError('unterminated_string', `string at byte ${start} has no NUL`);
    try {
      out.push(utf8.decode(buf.subarray(start, end)));
    } catch {
      return new DecodeError('bad_encoding', `string at byte ${start} is not UTF-8`);
    }
    start = end + 1;
  }
  return out;
}

/** name/value pairs (RFC 2347), names lower-cased. */
function options(fields: string[]): TftpOption[] | DecodeError {
  if (fields.length % 2 !== 0) {
    return new DecodeError('odd_options', `option "${fields.at(-1)}" has no value`);
  }
  const out: TftpOption[] = [];
  for (let i = 0; i < fields.length; i += 2) {
    const name = fields[i]!.toLowerCase();
    if (name === '') return new DecodeError('empty_option_name', `option ${i / 2 + 1} has no name`);
    out.push({ name, value: fields[i + 1]! });
  }
  return out;
}

function request(buf: Uint8Array, op: 'rrq' | 'wrq'): TftpPacket | DecodeError {
  const fields = strings(buf, 2);
  if (fields instanceof DecodeError) return fields;
  const [filename, mode, ...rest] = fields;
  if (!filename) return new DecodeError('empty_filename', 'request without a file name');
  if (!mode) return new DecodeError('empty_mode', 'request without a transfer mode');
  const opts = options(rest);
  if (opts instanceof DecodeError) return opts;
  return { op, filename, mode: mode.toLowerCase(), options: opts };
}

function block(buf: Uint8Array): number {
  return (buf[2]! << 8) | buf[3]!;
}

function data(buf: Uint8Array): DataPacket | DecodeError {
  if (buf.length < 4) return new DecodeError('too_short', 'DATA shorter than 4 bytes');
  if (buf.length - 4 > MAX_BLKSIZE) {
    return new DecodeError('data_too_long', `DATA carries ${buf.length - 4} bytes`);
  }
  return { op: 'data', block: block(buf), data: buf.slice(4) };
}

function ack(buf: Uint8Array): AckPacket | DecodeError {
  if (buf.length !== 4) return new DecodeError('bad_length', `ACK of ${buf.length} bytes, not 4`);
  return { op: 'ack', block: block(buf) };
}

/** ERROR: a missing final NUL is tolerated (some embedded clients omit it). */
function error(buf: Uint8Array): ErrorPacket | DecodeError {
  if (buf.length < 4) return new DecodeError('too_short', 'ERROR shorter than 4 bytes');
  const code = block(buf);
  let end = buf.indexOf(0, 4);
  if (end < 0) end = buf.length;
  let message: string;
  try {
    message = utf8.decode(buf.subarray(4, end));
  } catch {
    return new DecodeError('bad_encoding', 'ERROR message is not UTF-8');
  }
  return { op: 'error', code, message };
}

function oack(buf: Uint8Array): TftpPacket | DecodeError {
  const fields = strings(buf, 2);
  if (fields instanceof DecodeError) return fields;
  const opts = options(fields);
  if (opts instanceof DecodeError) return opts;
  return { op: 'oack', options: opts };
}

/** One UDP payload to a TFTP packet, or why it is not one. Never throws. */
export function decode(buf: Uint8Array): TftpPacket | DecodeError {
  if (buf.length < 2) return new DecodeError('too_short', `${buf.length} byte(s), no opcode`);
  const opcode = (buf[0]! << 8) | buf[1]!;
  switch (opcode) {
    case OPCODE.rrq:
      return request(buf, 'rrq');
    case OPCODE.wrq:
      return request(buf, 'wrq');
    case OPCODE.data:
      return data(buf);
    case OPCODE.ack:
      return ack(buf);
    case OPCODE.error:
      return error(buf);
    case OPCODE.oack:
      return oack(buf);
    default:
      return new DecodeError('bad_opcode', `unknown opcode ${opcode}`);
  }
}
