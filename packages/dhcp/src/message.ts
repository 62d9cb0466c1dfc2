/** A DHCPv4 message (RFC 2131 §2), decoded; options keyed by code, long options concatenated. */
export interface DhcpMessage {
  /** 1 BOOTREQUEST, 2 BOOTREPLY. */
  op: number;
  /** Hardware type: 1 Ethernet. */
  htype: number;
  /** Hardware address length (≤ 16). */
  hlen: number;
  hops: number;
  /** Transaction id, unsigned 32-bit. */
  xid: number;
  secs: number;
  /** Bit 15 (0x8000) is the broadcast flag. */
  flags: number;
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  /** The 16-byte client hardware address field (the first `hlen` bytes are meaningful). */
  chaddr: Buffer;
  /** Server host name (latin1, up to the first NUL); empty when it carried options. */
  sname: string;
  /** Boot file name (latin1, up to the first NUL); empty when it carried options. */
  file: string;
  /**
   * Options in wire order, without pad, end and overload (52): the value of an option split into
   * several instances (RFC 3396) or spread over file/sname (option overload) is concatenated.
   */
  options: Map<number, Buffer>;
}

export const BOOTREQUEST = 1;
export const BOOTREPLY = 2;
export const BROADCAST_FLAG = 0x8000;
export const MAGIC_COOKIE = 0x63825363;
/** op..file: 236 bytes, then the 4-byte magic cookie. */
export const HEADER_LENGTH = 236;
export const SNAME_OFFSET = 44;
export const SNAME_LENGTH = 64;
export const FILE_OFFSET = 108;
export const FILE_LENGTH = 128;
/** The smallest message every DHCP client must accept (RFC 2131 §2). */
export const MIN_MESSAGE_SIZE = 576;

/** DHCP message types (option 53, RFC 2132 §9.6). */
export const MessageType = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
} as const;
export type MessageTypeName = keyof typeof MessageType;

/** Names by code (index 0 unused). */
const MESSAGE_TYPE_NAMES: (MessageTypeName | null)[] = [null];
for (const [name, code] of Object.entries(MessageType)) {
  MESSAGE_TYPE_NAMES[code] = name as MessageTypeName;
}

export function messageTypeName(value: number | null): MessageTypeName | null {
  return value === null ? null : (MESSAGE_TYPE_NAMES[value] ?? null);
}

/** Why bytes are not a DHCP message: `reason` is a short stable label (metrics), `message` says more. */
export class DecodeError {
  readonly kind = 'decode-error';
  constructor(
    readonly reason:
      | 'too-short'
      | 'bad-hlen'
      | 'no-magic-cookie'
      | 'truncated-option'
      | 'bad-overload'
      | 'not-dhcp',
    readonly message: string,
  ) {}
}

export function isDecodeError(value: unknown): value is DecodeError {
  return value instanceof DecodeError;
}

/** A blank message with every header field zeroed (for building replies and tests). */
export function emptyMessage(op: number = BOOTREQUEST): DhcpMessage {
  return {
    op,
    htype: 1,
    hlen: 6,
    hops: 0,
    xid: 0,
    secs: 0,
    flags: 0,
    ciaddr: '0.0.0.0',
    yiaddr: '0.0.0.0',
    siaddr: '0.0.0.0',
    giaddr: '0.0.0.0',
    chaddr: Buffer.alloc(16),
    sname: '',
    file: '',
    options: new Map(),
  };
}
