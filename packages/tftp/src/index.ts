/**
 * @lanctl/tftp-wire: the TFTP wire format (RFC 1350, options RFC 2347–2349, windowsize RFC 7440).
 * Pure: no sockets, files, clock or logging.
 */
export { decode } from './decode.ts';
export { encode } from './encode.ts';
export { fromNetascii, toNetascii } from './netascii.ts';
export {
  type AckPacket,
  type DataPacket,
  DEFAULT_BLKSIZE,
  DecodeError,
  type DecodeReason,
  ERROR_CODE,
  type ErrorPacket,
  MAX_BLKSIZE,
  MIN_BLKSIZE,
  type OackPacket,
  OPCODE,
  type RequestPacket,
  type TftpOption,
  type TftpPacket,
} from './packet.ts';
