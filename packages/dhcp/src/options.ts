import type { DhcpMessage } from './message.ts';

/** Option codes (RFC 2132, 3004, 3046, 4578; iPXE's encapsulated space 175). */
export const Option = {
  SUBNET_MASK: 1,
  ROUTER: 3,
  DNS_SERVERS: 6,
  HOST_NAME: 12,
  DOMAIN_NAME: 15,
  VENDOR_SPECIFIC: 43,
  REQUESTED_IP: 50,
  LEASE_TIME: 51,
  MESSAGE_TYPE: 53,
  SERVER_ID: 54,
  PARAMETER_LIST: 55,
  MESSAGE: 56,
  MAX_MESSAGE_SIZE: 57,
  RENEWAL_TIME: 58,
  REBINDING_TIME: 59,
  VENDOR_CLASS: 60,
  CLIENT_ID: 61,
  TFTP_SERVER: 66,
  BOOTFILE: 67,
  USER_CLASS: 77,
  RELAY_AGENT_INFO: 82,
  CLIENT_ARCH: 93,
  CLIENT_NDI: 94,
  CLIENT_MACHINE_ID: 97,
  IPXE: 175,
} as const;

/** iPXE's encapsulated options (inside 175): https://ipxe.org/howto/dhcpd */
export const IpxeOption = { SCRIPTLET: 81, NO_PXEDHCP: 176 } as const;
/** PXE vendor options (inside 43 when option 60 is PXEClient): PXE spec 2.1 §2.4. */
export const PxeOption = { DISCOVERY_CONTROL: 6 } as const;

// ---- readers: each returns null when the option is absent or malformed ----

const get = (m: DhcpMessage, code: number) => m.options.get(code) ?? null;

const toIp = (b: Buffer, at = 0) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;

export function readIp(m: DhcpMessage, code: number): string | null {
  const v = get(m, code);
  return v && v.length === 4 ? toIp(v) : null;
}

export function readIpList(m: DhcpMessage, code: number): string[] | null {
  const v = get(m, code);
  if (!v || v.length === 0 || v.length % 4 !== 0) return null;
  const out: string[] = [];
  for (let at = 0; at < v.length; at += 4) out.push(toIp(v, at));
  return out;
}

export function readU8(m: DhcpMessage, code: number): number | null {
  const v = get(m, code);
  return v && v.length === 1 ? v[0]! : null;
}

export function readU16(m: DhcpMessage, code: number): number | null {
  const v = get(m, code);
  return v && v.length === 2 ? v.readUInt16BE(0) : null;
}

export function readU32(m: DhcpMessage, code: number): number | null {
  const v = get(m, code);
  return v && v.length === 4 ? v.readUInt32BE(0) : null;
}

/** A text option (12, 15, 56, 60, 66, 67), latin1, trailing NULs removed (some clients send one). */
export function readString(m: DhcpMessage, code: number): string | null {
  const v = get(m, code);
  if (!v) return null;
  let end = v.length;
  while (end > 0 && v[end - 1] === 0) end--;
  return v.subarray(0, end).toString('latin1');
}

/** Option 53. */
export const readMessageType = (m: DhcpMessage) => readU8(m, Option.MESSAGE_TYPE);
/** Option 55: the codes the client asks for. */
export function readParameterList(m: DhcpMessage): number[] {
  const v = get(m, Option.PARAMETER_LIST);
  return v ? [...v] : [];
}
/** Option 61, raw (type byte + identifier). */
export const readClientId = (m: DhcpMessage) => get(m, Option.CLIENT_ID);
/** Option 82, raw: relays expect it echoed byte for byte (RFC 3046 §2.2). */
export const readRelayAgentInfo = (m: DhcpMessage) => get(m, Option.RELAY_AGENT_INFO);

/**
 * Option 77 (RFC 3004): a list of length-prefixed user classes. iPXE (and some others) send a
 * bare string (`iPXE`) instead: when the bytes are not a valid length-prefixed list, the whole
 * value is one class.
 */
export function readUserClass(m: DhcpMessage): string[] {
  const v = get(m, Option.USER_CLASS);
  if (!v || v.length === 0) return [];
  const classes: string[] = [];
  let at = 0;
  while (at < v.length) {
    const length = v[at]!;
    if (length === 0 || at + 1 + length > v.length) return [v.toString('latin1')];
    classes.push(v.subarray(at + 1, at + 1 + length).toString('latin1'));
    at += 1 + length;
  }
  return classes;
}

/** Option 93 (RFC 4578): client system architectures, e.g. 0 BIOS, 7 and 9 x64 UEFI. */
export function readClientArch(m: DhcpMessage): number[] {
  const v = get(m, Option.CLIENT_ARCH);
  if (!v || v.length === 0 || v.length % 2 !== 0) return [];
  const out: number[] = [];
  for (let at = 0; at < v.length; at += 2) out.push(v.readUInt16BE(at));
  return out;
}

/** Option 94 (RFC 4578): network interface identifier (type 1 = UNDI, major, minor). */
export function readClientNdi(
  m: DhcpMessage,
): { type: number; major: number; minor: number } | null {
  const v = get(m, Option.CLIENT_NDI);
  return v && v.length === 3 ? { type: v[0]!, major: v[1]!, minor: v[2]! } : null;
}

/** Option 97 (RFC 4578): type 0 + a 16-byte machine UUID, as `xxxxxxxx-xxxx-...` lower-case. */
export function readClientMachineId(m: DhcpMessage): string | null {
  const v = get(m, Option.CLIENT_MACHINE_ID);
  if (v?.length !== 17 || v[0] !== 0) return null;
  const h = v.subarray(1).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Sub-options of an encapsulated option (43, 175, 82): code → value; null when malformed. */
export function readEncapsulated(m: DhcpMessage, code: number): Map<number, Buffer> | null {
  const v = get(m, code);
  if (!v) return null;
  return parseSubOptions(v);
}

export function parseSubOptions(v: Buffer): Map<number, Buffer> | null {
  const out = new Map<number, Buffer>();
  let at = 0;
  while (at < v.length) {
    const code = v[at]!;
    if (code === 255) break;
    if (code === 0) {
      at++;
      continue;
    }
    const length = v[at + 1];
    if (length === undefined || at + 2 + length > v.length) return null;
    out.set(code, v.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  return out;
}

// ---- writers: option values as bytes ----

export function ipBytes(...ips: string[]): Buffer {
  const out = Buffer.alloc(4 * ips.length);
  ips.forEach((text, i) => {
    const parts = text.split('.');
    for (let j = 0; j < 4; j++) out[4 * i + j] = Number(parts[j] ?? 0) & 255;
  });
  return out;
}

export const u8Bytes = (v: number) => Buffer.from([v & 255]);
export function u16Bytes(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v & 0xffff);
  return b;
}
export function u32Bytes(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}
export const stringBytes = (v: string) => Buffer.from(v, 'latin1');

/** Encapsulated sub-options (43, 175), in the given order; values over 255 bytes are cut. */
export function subOptionBytes(entries: Iterable<[number, Buffer]>): Buffer {
  const parts: Buffer[] = [];
  for (const [code, value] of entries) {
    const v = value.subarray(0, 255);
    parts.push(Buffer.from([code, v.length]), v);
  }
  return Buffer.concat(parts);
}
