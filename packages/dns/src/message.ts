/** RR types the codec knows (others travel as raw rdata). */
export const RRType = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  TXT: 16,
  AAAA: 28,
  OPT: 41,
  ANY: 255,
} as const;

export const RRClass = { IN: 1, CH: 3, ANY: 255 } as const;

export const Rcode = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
} as const;

export const Opcode = { QUERY: 0, IQUERY: 1, STATUS: 2, NOTIFY: 4, UPDATE: 5 } as const;

export interface DnsFlags {
  qr: boolean;
  opcode: number;
  aa: boolean;
  tc: boolean;
  rd: boolean;
  ra: boolean;
  /** The Z bit (must be zero; kept as received). */
  z: boolean;
  ad: boolean;
  cd: boolean;
  /** The low 4 bits; the high 8 bits of an extended rcode are in `edns.extendedRcode`. */
  rcode: number;
}

/**
 * Names are in presentation form, absolute with a trailing dot (`pc1.prolo.`, root `.`), case
 * kept as received; `.`, `\` and bytes outside printable ASCII inside a label are escaped (`\.`,
 * `\\`, `\DDD`) so decode → encode is lossless.
 */
export interface DnsQuestion {
  name: string;
  type: number;
  class: number;
}

export type RData =
  | { kind: 'a'; address: string }
  | { kind: 'aaaa'; address: string }
  | { kind: 'name'; name: string }
  | {
      kind: 'soa';
      mname: string;
      rname: string;
      serial: number;
      refresh: number;
      retry: number;
      expire: number;
      minimum: number;
    }
  /** Character strings as latin1 (one char per byte, lossless). */
  | { kind: 'txt'; strings: string[] }
  | { kind: 'raw'; bytes: Uint8Array };

export interface DnsRecord {
  name: string;
  type: number;
  class: number;
  ttl: number;
  data: RData;
}

export interface EdnsOption {
  code: number;
  data: Uint8Array;
}

/** The OPT pseudo-record (RFC 6891), lifted out of the additional section. */
export interface Edns {
  udpSize: number;
  extendedRcode: number;
  version: number;
  /** DNSSEC OK. */
  do: boolean;
  /** The other 15 flag bits, as received. */
  flags: number;
  options: EdnsOption[];
}

export interface DnsMessage {
  id: number;
  flags: DnsFlags;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  /** Without the OPT record (see `edns`). */
  additionals: DnsRecord[];
  edns: Edns | null;
}

export type DecodeReason =
  | 'too-short'
  | 'truncated'
  | 'bad-name'
  | 'name-too-long'
  | 'pointer-loop'
  | 'bad-pointer'
  | 'bad-label-type'
  | 'bad-rdata'
  | 'multiple-opt'
  | 'trailing-bytes';

/** Why bytes are not a DNS message: `reason` is a short stable label (metrics), `message` says more. */
export class DecodeError {
  readonly kind = 'decode-error';
  constructor(
    readonly reason: DecodeReason,
    readonly message: string,
  ) {}
}

export function isDecodeError(value: unknown): value is DecodeError {
  return value instanceof DecodeError;
}

export function emptyFlags(): DnsFlags {
  return {
    qr: false,
    opcode: 0,
    aa: false,
    tc: false,
    rd: false,
    ra: false,
    z: false,
    ad: false,
    cd: false,
    rcode: 0,
  };
}

const TYPE_NAMES = new Map<number, string>(
  Object.entries(RRType).map(([name, code]) => [code, name]),
);
const RCODE_NAMES = new Map<number, string>(
  Object.entries(Rcode).map(([name, code]) => [code, name]),
);
RCODE_NAMES.set(16, 'BADVERS');

/** The type's mnemonic (`A`, `AAAA`, ...) or `TYPE<n>` (RFC 3597). */
export function typeName(type: number): string {
  return TYPE_NAMES.get(type) ?? `TYPE${type}`;
}

/** The rcode's mnemonic (12-bit, BADVERS included) or `RCODE<n>`. */
export function rcodeName(rcode: number): string {
  return RCODE_NAMES.get(rcode) ?? `RCODE${rcode}`;
}
