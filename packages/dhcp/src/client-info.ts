import {
  BOOTREQUEST,
  BROADCAST_FLAG,
  type DhcpMessage,
  type MessageTypeName,
  messageTypeName,
} from './message.ts';
import {
  Option,
  readClientArch,
  readClientId,
  readClientMachineId,
  readEncapsulated,
  readIp,
  readMessageType,
  readParameterList,
  readRelayAgentInfo,
  readString,
  readU16,
  readUserClass,
} from './options.ts';
import type { ClientKind } from './plan.ts';

/**
 * Everything the policy needs to know about a request, computed once from the decoded message
 * (STYLE rule 2): the policy never looks at options itself.
 */
export interface ClientInfo {
  type: MessageTypeName;
  xid: number;
  /** chaddr as aa:bb:cc:dd:ee:ff (Ethernet: htype 1, hlen 6), else null. */
  mac: string | null;
  /** Option 61 as hex (type byte first), or null. */
  clientId: string | null;
  /** The lease key: `id:<client id hex>` or `mac:<mac>` (RFC 2131 §4.2). */
  key: string;
  /** First value of option 93, or null. */
  arch: number | null;
  kind: ClientKind;
  /** User class `iPXE` or option 175 present. */
  isIpxe: boolean;
  /** Option 60 starts with `PXEClient` (a PXE ROM or iPXE). */
  isPxe: boolean;
  vendorClass: string | null;
  userClass: string[];
  /** Option 50. */
  requestedIp: string | null;
  /** Option 54. */
  serverId: string | null;
  /** null when 0.0.0.0. */
  ciaddr: string | null;
  /** Relay address (null when 0.0.0.0: not relayed). */
  giaddr: string | null;
  /** Option 82, raw, to echo. */
  relayAgentInfo: Buffer | null;
  broadcast: boolean;
  hostname: string | null;
  parameterList: number[];
  /** Option 57, or null. */
  maxMessageSize: number | null;
  /** Option 97 UUID, or null. */
  machineId: string | null;
}

/** Why a message is not a request the server handles. */
export interface NotARequest {
  kind: 'not-a-request';
  reason: 'not-bootrequest' | 'no-message-type' | 'unknown-message-type' | 'server-message-type';
}

/** UEFI architectures (RFC 4578 §2.1 and IANA "Processor Architecture Types"). */
const UEFI_ARCHES = new Set([6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]);
const REPLY_TYPES = new Set<MessageTypeName>(['OFFER', 'ACK', 'NAK']);

const zeroToNull = (ip: string) => (ip === '0.0.0.0' ? null : ip);

function formatMac(m: DhcpMessage): string | null {
  if (m.htype !== 1 || m.hlen !== 6) return null;
  return [...m.chaddr.subarray(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** Classifies a decoded request; a reply, or a message without a known type, is NotARequest. */
export function classify(m: DhcpMessage): ClientInfo | NotARequest {
  if (m.op !== BOOTREQUEST) return { kind: 'not-a-request', reason: 'not-bootrequest' };
  const code = readMessageType(m);
  if (code === null) return { kind: 'not-a-request', reason: 'no-message-type' };
  const type = messageTypeName(code);
  if (type === null) return { kind: 'not-a-request', reason: 'unknown-message-type' };
  if (REPLY_TYPES.has(type)) return { kind: 'not-a-request', reason: 'server-message-type' };
  const mac = formatMac(m);
  const id = readClientId(m);
  const clientId = id && id.length > 0 ? id.toString('hex') : null;
  const userClass = readUserClass(m);
  const vendorClass = readString(m, Option.VENDOR_CLASS);
  const isIpxe = userClass.includes('iPXE') || m.options.has(Option.IPXE);
  const arch = readClientArch(m)[0] ?? null;
  const kind: ClientKind = isIpxe
    ? 'ipxe'
    : arch !== null && UEFI_ARCHES.has(arch)
      ? 'uefi'
      : 'bios';
  const chaddrHex = m.chaddr.subarray(0, Math.min(16, m.hlen)).toString('hex');
  return {
    type,
    xid: m.xid,
    mac,
    clientId,
    key: clientId ? `id:${clientId}` : mac ? `mac:${mac}` : `hw:${m.htype}:${chaddrHex}`,
    arch,
    kind,
    isIpxe,
    isPxe: vendorClass?.startsWith('PXEClient') ?? false,
    vendorClass,
    userClass,
    requestedIp: readIp(m, Option.REQUESTED_IP),
    serverId: readIp(m, Option.SERVER_ID),
    ciaddr: zeroToNull(m.ciaddr),
    giaddr: zeroToNull(m.giaddr),
    relayAgentInfo: readRelayAgentInfo(m),
    broadcast: (m.flags & BROADCAST_FLAG) !== 0,
    hostname: readString(m, Option.HOST_NAME),
    parameterList: readParameterList(m),
    maxMessageSize: readU16(m, Option.MAX_MESSAGE_SIZE),
    machineId: readClientMachineId(m),
  };
}

/** The iPXE encapsulated options a client sent (175), e.g. its feature flags. */
export const ipxeOptions = (m: DhcpMessage) => readEncapsulated(m, Option.IPXE);
