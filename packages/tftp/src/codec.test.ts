import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decode } from './decode.ts';
import { encode } from './encode.ts';
import { fromNetascii, toNetascii } from './netascii.ts';
import { DecodeError, MAX_BLKSIZE } from './packet.ts';
import { packetArbitrary } from './testing/arbitrary.ts';

const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p)] : p)));

describe('decode', () => {
  it('reads an RRQ with options, lower-casing mode and option names', () => {
    const buf = bytes(
      [0, 1],
      'undionly.kpxe\0',
      'OCTET\0',
      'BlkSize\0',
      '1468\0',
      'tsize\0',
      '0\0',
    );
    expect(decode(buf)).toEqual({
      op: 'rrq',
      filename: 'undionly.kpxe',
      mode: 'octet',
      options: [
        { name: 'blksize', value: '1468' },
        { name: 'tsize', value: '0' },
      ],
    });
  });

  it('keeps the file name case and bytes as sent', () => {
    const p = decode(bytes([0, 2], 'Dir/Été.EFI\0', 'netascii\0'));
    expect(p).toMatchObject({ op: 'wrq', filename: 'Dir/Été.EFI', mode: 'netascii' });
  });

  it.each([
    ['empty datagram', [], 'too_short'],
    ['one byte', [0], 'too_short'],
    ['opcode 0', [0, 0], 'bad_opcode'],
    ['opcode 7', [0, 7, 1, 2], 'bad_opcode'],
    ['RRQ without NUL', [0, 1, 0x61], 'unterminated_string'],
    ['RRQ without mode', [0, 1, 0x61, 0], 'empty_mode'],
    ['RRQ with empty name', [0, 1, 0, 0x6f, 0], 'empty_filename'],
    ['RRQ option without value', [0, 1, 0x61, 0, 0x6f, 0, 0x62, 0], 'odd_options'],
    ['RRQ option without name', [0, 1, 0x61, 0, 0x6f, 0, 0, 0x31, 0], 'empty_option_name'],
    ['RRQ invalid UTF-8', [0, 1, 0xff, 0xfe, 0, 0x6f, 0], 'bad_encoding'],
    ['short ACK', [0, 4, 1], 'bad_length'],
    ['long ACK', [0, 4, 0, 1, 0], 'bad_length'],
    ['short DATA', [0, 3, 1], 'too_short'],
    ['short ERROR', [0, 5, 0], 'too_short'],
  ])('refuses %s (%s)', (_name, input, reason) => {
    const p = decode(Uint8Array.from(input as number[]));
    expect(p).toBeInstanceOf(DecodeError);
    expect((p as DecodeError).reason).toBe(reason);
  });

  it('refuses DATA larger than the largest block size', () => {
    const p = decode(new Uint8Array(4 + MAX_BLKSIZE + 1).fill(3, 1, 2));
    expect((p as DecodeError).reason).toBe('data_too_long');
  });

  it('reads an ERROR whose message lacks its NUL', () => {
    expect(decode(bytes([0, 5, 0, 8], 'abort'))).toEqual({
      op: 'error',
      code: 8,
      message: 'abort',
    });
  });

  it('reads DATA and ACK block numbers as unsigned 16-bit', () => {
    expect(decode(bytes([0, 4, 0xff, 0xff]))).toEqual({ op: 'ack', block: 65535 });
    expect(decode(bytes([0, 3, 0x01, 0x00], 'xy'))).toEqual({
      op: 'data',
      block: 256,
      data: Uint8Array.from([0x78, 0x79]),
    });
  });
});

describe('encode', () => {
  it('writes the wire bytes of RFC 1350 and RFC 2347', () => {
    expect([...encode({ op: 'ack', block: 258 })]).toEqual([0, 4, 1, 2]);
    expect(Buffer.from(encode({ op: 'oack', options: [{ name: 'tsize', value: '42' }] }))).toEqual(
      Buffer.from('\0\x06tsize\x0042\0', 'latin1'),
    );
    expect(Buffer.from(encode({ op: 'error', code: 1, message: 'no' }))).toEqual(
      Buffer.from('\0\x05\0\x01no\0', 'latin1'),
    );
  });

  it('refuses what no peer could decode', () => {
    expect(() => encode({ op: 'ack', block: 65536 })).toThrow(RangeError);
    expect(() => encode({ op: 'rrq', filename: 'a\0b', mode: 'octet', options: [] })).toThrow(
      /filename contains NUL/,
    );
    expect(() => encode({ op: 'data', block: 1, data: new Uint8Array(MAX_BLKSIZE + 1) })).toThrow(
      RangeError,
    );
  });
});

describe('properties', () => {
  it('decode(encode(p)) is p', () => {
    fc.assert(
      fc.property(packetArbitrary, (p) => {
        expect(decode(encode(p))).toEqual(p);
      }),
      { numRuns: 2000 },
    );
  });

  it('netascii round-trips and only grows by the CR and LF it escapes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (raw) => {
        const wire = toNetascii(raw);
        const escaped = raw.filter((b) => b === 10 || b === 13).length;
        expect(wire.length).toBe(raw.length + escaped);
        expect(fromNetascii(wire)).toEqual(Uint8Array.from(raw));
      }),
      { numRuns: 1000 },
    );
  });
});
