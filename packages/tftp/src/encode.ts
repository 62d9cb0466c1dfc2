import { MAX_BLKSIZE, OPCODE, type TftpOption, type TftpPacket } from './packet.ts';

const utf8 = new TextEncoder();

function field(text: string, what: string): Uint8Array[] {
  if (text.includes('\0')) throw new RangeError(`${what} contains NUL`);
  return [utf8.encode(text), Uint8Array.of(0)];
}

function u16(value: number, what: string): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new RangeError(`${what} ${value} is not a 16-bit number`);
  }
  return Uint8Array.of(value >> 8, value & 0xff);
}

function optionFields(options: TftpOption[]): Uint8Array[] {
  return options.flatMap((o) => {
    if (o.name === '') throw new RangeError('option without a name');
    return [...field(o.name, 'option name'), ...field(o.value, `option ${o.name}`)];
  });
}

function parts(packet: TftpPacket): Uint8Array[] {
  const op = u16(OPCODE[packet.op], 'opcode');
  switch (packet.op) {
    case 'rrq':
    case 'wrq':
      if (packet.filename === '') throw new RangeError('request without a file name');
      if (packet.mode === '') throw new RangeError('request without a mode');
      return [
        op,
        ...field(packet.filename, 'filename'),
        ...field(packet.mode, 'mode'),
        ...optionFields(packet.options),
      ];
    case 'data':
      if (packet.data.length > MAX_BLKSIZE) {
        throw new RangeError(`DATA of ${packet.data.length} bytes exceeds ${MAX_BLKSIZE}`);
      }
      return [op, u16(packet.block, 'block'), packet.data];
    case 'ack':
      return [op, u16(packet.block, 'block')];
    case 'error':
      return [op, u16(packet.code, 'error code'), ...field(packet.message, 'error message')];
    case 'oack':
      return [op, ...optionFields(packet.options)];
  }
}

/** A TFTP packet to its UDP payload. Throws RangeError on a packet no peer could decode. */
export function encode(packet: TftpPacket): Uint8Array {
  const chunks = parts(packet);
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
