import {
  type ClientInfo,
  classify,
  type DhcpMessage,
  decode,
  dhcpPlanSchema,
  emptyMessage,
  encode,
  Option,
  parseSubOptions,
  readIp,
  readString,
  readU32,
  u8Bytes,
} from '@lanctl/dhcp-wire';
import { describe, expect, it } from 'vitest';
import type { Nak, Reply } from './policy.ts';
import { buildNak, buildReply, destination, directedBroadcast } from './reply.ts';

const plan = dhcpPlanSchema.parse({
  subnets: [
    {
      name: 'users',
      network: '192.168.0.0/24',
      netmask: '255.255.254.0',
      router: '192.168.1.254',
      dns: ['192.168.1.254'],
      next_server: '192.168.1.254',
    },
    {
      name: 'aliens',
      network: '192.168.250.0/24',
      next_server: '192.168.250.254',
      dynamic: { from: '192.168.250.1', to: '192.168.250.200' },
    },
  ],
});
const [users, aliens] = plan.subnets as [(typeof plan.subnets)[0], (typeof plan.subnets)[0]];

function request(
  options: [number, Buffer][],
  giaddr = '0.0.0.0',
): { m: DhcpMessage; c: ClientInfo } {
  const m = emptyMessage();
  m.xid = 42;
  m.giaddr = giaddr;
  Buffer.from('525400000001', 'hex').copy(m.chaddr);
  m.options.set(Option.MESSAGE_TYPE, u8Bytes(1));
  for (const [code, value] of options) m.options.set(code, value);
  return { m, c: classify(m) as ClientInfo };
}

const offer = (subnet = users, scriptlet: string | null = null): Reply => ({
  kind: 'reply',
  type: 'OFFER',
  subnet,
  serverId: '192.168.1.254',
  yiaddr: '192.168.0.10',
  leaseSeconds: 14400,
  machine: {
    hostname: 'pas-r01p01',
    ip: '192.168.0.10',
    mac: '52:54:00:00:00:01',
    mtype: 'user',
    room: 'pasteur',
    is_faulty: false,
  },
  boot: { filename: 'undionly.kpxe', scriptlet },
  effects: [],
});

describe('buildReply', () => {
  it('carries the address, lease times, network options, host name and boot file', () => {
    const { m, c } = request([]);
    const r = decode(encode(buildReply(m, c, offer(), { domain: 'prolo' }))) as DhcpMessage;
    expect(r).toMatchObject({
      op: 2,
      xid: 42,
      yiaddr: '192.168.0.10',
      siaddr: '192.168.1.254',
      file: 'undionly.kpxe',
    });
    expect(r.options.get(Option.MESSAGE_TYPE)).toEqual(u8Bytes(2));
    expect(readU32(r, Option.LEASE_TIME)).toBe(14400);
    expect(readU32(r, Option.RENEWAL_TIME)).toBe(7200);
    expect(readU32(r, Option.REBINDING_TIME)).toBe(12600);
    expect(readIp(r, Option.SUBNET_MASK)).toBe('255.255.254.0');
    expect(readIp(r, Option.ROUTER)).toBe('192.168.1.254');
    expect(readString(r, Option.HOST_NAME)).toBe('pas-r01p01');
    expect(readString(r, Option.DOMAIN_NAME)).toBe('prolo');
    expect(readString(r, Option.TFTP_SERVER)).toBe('192.168.1.254');
    expect(r.options.has(Option.VENDOR_CLASS)).toBe(false);
    expect(r.options.has(Option.IPXE)).toBe(false);
  });

  it('answers a PXE ROM as PXE expects: PXEClient and discovery control 8', () => {
    const { m, c } = request([
      [Option.VENDOR_CLASS, Buffer.from('PXEClient:Arch:00007:UNDI:003000')],
    ]);
    const r = buildReply(m, c, offer(), { domain: 'prolo' });
    expect(readString(r, Option.VENDOR_CLASS)).toBe('PXEClient');
    expect(parseSubOptions(r.options.get(Option.VENDOR_SPECIFIC)!)?.get(6)).toEqual(
      Buffer.from([8]),
    );
  });

  it('gives iPXE its scriptlet and no-pxedhcp in option 175', () => {
    const { m, c } = request([[Option.USER_CLASS, Buffer.from('iPXE')]]);
    const r = buildReply(m, c, offer(aliens, 'alien'), { domain: 'prolo' });
    const ipxe = parseSubOptions(r.options.get(Option.IPXE)!)!;
    expect(ipxe.get(81)?.toString()).toBe('alien');
    expect(ipxe.get(176)).toEqual(Buffer.from([1]));
  });

  it('echoes option 82 and keeps giaddr for relays', () => {
    const info = Buffer.from([1, 2, 0, 9]);
    const { m, c } = request([[Option.RELAY_AGENT_INFO, info]], '10.98.0.1');
    const r = buildReply(m, c, offer(), { domain: 'prolo' });
    expect(r.giaddr).toBe('10.98.0.1');
    expect(r.options.get(Option.RELAY_AGENT_INFO)).toEqual(info);
    expect(destination(c, false)).toEqual({ address: '10.98.0.1', port: 67, broadcast: false });
  });
});

describe('buildNak and destination', () => {
  it('a NAK has no address, says why, and is broadcast by relays', () => {
    const { m, c } = request([], '10.98.0.1');
    const nak: Nak = {
      kind: 'nak',
      reason: 'wrong network',
      serverId: '192.168.1.254',
      effects: [],
    };
    const r = buildNak(m, c, nak);
    expect(r).toMatchObject({ yiaddr: '0.0.0.0', flags: 0x8000, file: '' });
    expect(readString(r, Option.MESSAGE)).toBe('wrong network');
  });

  it('unicasts to ciaddr (not a NAK), else broadcasts', () => {
    const { c } = request([]);
    expect(destination(c, false)).toMatchObject({
      address: '255.255.255.255',
      port: 68,
      broadcast: true,
    });
    const renewing = { ...c, ciaddr: '192.168.0.10' };
    expect(destination(renewing, false)).toEqual({
      address: '192.168.0.10',
      port: 68,
      broadcast: false,
    });
    expect(destination(renewing, true)).toMatchObject({ broadcast: true });
  });

  it("the directed broadcast follows the link's netmask", () => {
    expect(directedBroadcast(users)).toBe('192.168.1.255');
    expect(directedBroadcast(aliens)).toBe('192.168.250.255');
  });
});
