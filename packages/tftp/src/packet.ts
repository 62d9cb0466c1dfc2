/** TFTP opcodes (RFC 1350 §5, RFC 2347 for OACK). */
export const OPCODE = { rrq: 1, wrq: 2, data: 3, ack: 4, error: 5, oack: 6 } as const;

/** TFTP error codes (RFC 1350 appendix, RFC 2347 for 8). */
export const ERROR_CODE = {
  notDefined: 0,
  fileNotFound: 1,
  accessViolation: 2,
  diskFull: 3,
  illegalOperation: 4,
  unknownTransferId: 5,
  fileExists: 6,
  noSuchUser: 7,
  optionRefused: 8,
} as const;

/** Block sizes RFC 2348 allows; the default of RFC 1350 is 512. */
export const MIN_BLKSIZE = 8;
export const MAX_BLKSIZE = 65464;
export const DEFAULT_BLKSIZE = 512;

/** An option of a request or an OACK, in wire order; names lower-cased (they are case-insensitive). */
export interface TftpOption {
  name: string;
  value: string;
}

export interface RequestPacket {
  op: 'rrq' | 'wrq';
  /** As sent (UTF-8); never contains NUL. */
  filename: string;
  /** Lower-cased: `octet`, `netascii`, `mail` or anything a client made up. */
  mode: string;
  options: TftpOption[];
}

export interface DataPacket {
  op: 'data';
  /** 0–65535 (wraps around on long transfers). */
  block: number;
  data: Uint8Array;
}

export interface AckPacket {
  op: 'ack';
  block: number;
}

export interface ErrorPacket {
  op: 'error';
  code: number;
  message: string;
}

export interface OackPacket {
  op: 'oack';
  options: TftpOption[];
}

export type TftpPacket = RequestPacket | DataPacket | AckPacket | ErrorPacket | OackPacket;

/** Why a datagram is not a TFTP packet: also the `reason` label of the drop counters. */
export type DecodeReason =
  | 'too_short'
  | 'bad_opcode'
  | 'unterminated_string'
  | 'bad_encoding'
  | 'empty_filename'
  | 'empty_mode'
  | 'odd_options'
  | 'empty_option_name'
  | 'bad_length'
  | 'data_too_long';

/** A datagram that is not a TFTP packet. Returned, never thrown. */
export class DecodeError {
  readonly op = 'decode_error' as const;
  constructor(
    readonly reason: DecodeReason,
    readonly message: string,
  ) {}
}
