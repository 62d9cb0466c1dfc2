import {
  BOOTREPLY,
  BROADCAST_FLAG,
  type ClientInfo,
  type DhcpMessage,
  type DhcpSubnet,
  IpxeOption,
  ipBytes,
  MessageType,
  Option,
  PxeOption,
  stringBytes,
  subnetMask,
  subOptionBytes,
  u8Bytes,
  u32Bytes,
} from '@lanctl/dhcp-wire';
import { type Cidr, formatIpv4, parseCidr, parseIpv4 } from '@lanctl/model';
import type { Nak, Reply } from './policy.ts';

export interface ReplyOptions {
  domain: string;
}

function header(request: DhcpMessage): DhcpMessage {
  return {
    op: BOOTREPLY,
    htype: request.htype,
    hlen: request.hlen,
    hops: 0,
    xid: request.xid,
    secs: 0,
    flags: request.flags,
    ciaddr: '0.0.0.0',
    yiaddr: '0.0.0.0',
    siaddr: '0.0.0.0',
    giaddr: request.giaddr,
    chaddr: Buffer.from(request.chaddr),
    sname: '',
    file: '',
    options: new Map(),
  };
}

/** PXE ROMs (option 60 PXEClient) wait for a ProxyDHCP offer unless told the file is final. */
const PXE_VENDOR_OPTIONS = Buffer.from([PxeOption.DISCOVERY_CONTROL, 1, 8, 255]);

/** The OFFER or ACK message for a decision (RFC 2131 table 3). */
export function buildReply(
  request: DhcpMessage,
  c: ClientInfo,
  d: Reply,
  options: ReplyOptions,
): DhcpMessage {
  const m = header(request);
  const o = m.options;
  const type = d.type === 'OFFER' ? MessageType.OFFER : MessageType.ACK;
  if (d.type === 'ACK') m.ciaddr = request.ciaddr;
  if (d.yiaddr !== null) m.yiaddr = d.yiaddr;
  m.siaddr = d.subnet.next_server;
  m.file = d.boot.filename;
  o.set(Option.MESSAGE_TYPE, u8Bytes(type));
  o.set(Option.SERVER_ID, ipBytes(d.serverId));
  if (d.leaseSeconds !== null) {
    o.set(Option.LEASE_TIME, u32Bytes(d.leaseSeconds));
    o.set(Option.RENEWAL_TIME, u32Bytes(Math.floor(d.leaseSeconds / 2)));
    o.set(Option.REBINDING_TIME, u32Bytes(Math.floor((d.leaseSeconds * 7) / 8)));
  }
  o.set(Option.SUBNET_MASK, ipBytes(subnetMask(d.subnet)));
  if (d.subnet.router !== null) o.set(Option.ROUTER, ipBytes(d.subnet.router));
  if (d.subnet.dns.length > 0) o.set(Option.DNS_SERVERS, ipBytes(...d.subnet.dns));
  if (d.machine) o.set(Option.HOST_NAME, stringBytes(d.machine.hostname));
  o.set(Option.DOMAIN_NAME, stringBytes(options.domain));
  o.set(Option.TFTP_SERVER, stringBytes(d.subnet.next_server));
  o.set(Option.BOOTFILE, stringBytes(d.boot.filename));
  if (c.isPxe) {
    o.set(Option.VENDOR_CLASS, stringBytes('PXEClient'));
    o.set(Option.VENDOR_SPECIFIC, PXE_VENDOR_OPTIONS);
  }
  if (c.isIpxe) {
    const ipxe: [number, Buffer][] = [[IpxeOption.NO_PXEDHCP, u8Bytes(1)]];
    if (d.boot.scriptlet !== null) {
      ipxe.unshift([IpxeOption.SCRIPTLET, stringBytes(d.boot.scriptlet)]);
    }
    o.set(Option.IPXE, subOptionBytes(ipxe));
  }
  if (c.relayAgentInfo) o.set(Option.RELAY_AGENT_INFO, c.relayAgentInfo);
  return m;
}

/** A DHCPNAK (RFC 2131 §4.3.2): no address, the reason in option 56, broadcast through relays. */
export function buildNak(request: DhcpMessage, c: ClientInfo, d: Nak): DhcpMessage {
  const m = header(request);
  if (c.giaddr !== null) m.flags |= BROADCAST_FLAG;
  m.options.set(Option.MESSAGE_TYPE, u8Bytes(MessageType.NAK));
  m.options.set(Option.SERVER_ID, ipBytes(d.serverId));
  m.options.set(Option.MESSAGE, stringBytes(d.reason.slice(0, 250)));
  if (c.relayAgentInfo) m.options.set(Option.RELAY_AGENT_INFO, c.relayAgentInfo);
  return m;
}

export interface Destination {
  address: string;
  port: number;
  /** Sent to the broadcast address (255.255.255.255 or the subnet's). */
  broadcast: boolean;
}

/**
 * Where a reply goes (RFC 2131 §4.1): the relay (port 67) if relayed; else the client's ciaddr
 * (not for a NAK); else broadcast. Unicast to yiaddr before the client has its address would need
 * an ARP entry a UDP socket cannot make, so those replies are broadcast (allowed by §4.1).
 */
export function destination(c: ClientInfo, isNak: boolean): Destination {
  if (c.giaddr !== null) return { address: c.giaddr, port: 67, broadcast: false };
  if (c.ciaddr !== null && !isNak) return { address: c.ciaddr, port: 68, broadcast: false };
  return { address: '255.255.255.255', port: 68, broadcast: true };
}

/**
 * The directed broadcast address of a subnet's link (reaches it through the connected route):
 * per `netmask` when it widens the network (SADM's /23), else the network's own.
 */
export function directedBroadcast(subnet: DhcpSubnet): string {
  const cidr = parseCidr(subnet.network) as Cidr;
  const mask = parseIpv4(subnetMask(subnet)) ?? 0;
  return formatIpv4((cidr.network | ~mask) >>> 0);
}
