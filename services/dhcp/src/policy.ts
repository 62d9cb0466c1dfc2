import {
  type BootChoice,
  bootChoice,
  type ClientInfo,
  type DhcpPlan,
  type DhcpSubnet,
  subnetFor,
} from '@lanctl/dhcp-wire';
import { formatIpv4, parseIpv4 } from '@lanctl/model';
import type { KnownMachine, MachineView } from './view.ts';

/** A lease row: one per address (integer form), owned by a client key (`id:<hex>` / `mac:<mac>`). */
export interface Lease {
  ip: number;
  key: string;
  mac: string | null;
  state: 'offered' | 'bound' | 'released' | 'declined';
  /** ms since the epoch; an offered lease's hold, a bound lease's end, a quarantine's end. */
  expiresAt: number;
  subnet: string;
  hostname: string | null;
}

/** The policy's read interface to the lease table. */
export interface LeaseView {
  /** The client's lease: by key, else by MAC (the PXE ROM and iPXE of one machine share it). */
  byClient(key: string, mac: string | null): Lease | null;
  byIp(ip: number): Lease | null;
  /** Addresses of [from, to] (integer form) with no lease live at `now`, lowest first, lazily. */
  freeIps(from: number, to: number, now: number): Iterable<number>;
}

export interface PolicyContext {
  plan: DhcpPlan;
  view: MachineView;
  leases: LeaseView;
  /** ms since the epoch. */
  now: number;
  /** Option 54 for replies in this subnet. */
  serverId(subnet: DhcpSubnet): string;
  /** Whether option 54 of a request names this server. */
  isOurs(serverId: string): boolean;
  /** Subnet of direct requests from unknown clients naming no address of theirs. */
  defaultSubnet: DhcpSubnet | null;
  offerHoldMs: number;
  quarantineMs: number;
}

export interface Reply {
  kind: 'reply';
  type: 'OFFER' | 'ACK';
  subnet: DhcpSubnet;
  serverId: string;
  /** null for INFORM. */
  yiaddr: string | null;
  /** null for INFORM. */
  leaseSeconds: number | null;
  machine: KnownMachine | null;
  boot: BootChoice;
  effects: Lease[];
}
export interface Nak {
  kind: 'nak';
  reason: string;
  serverId: string;
  effects: Lease[];
}
/** Handled, no reply due (RELEASE, DECLINE). */
export interface NoReply {
  kind: 'noreply';
  note: string;
  effects: Lease[];
}
/** Dropped: `reason` is a stable label (metrics, boot events). */
export interface Ignore {
  kind: 'ignore';
  reason: string;
  effects: Lease[];
}
export type Decision = Reply | Nak | NoReply | Ignore;

const ignore = (reason: string, effects: Lease[] = []): Ignore => ({
  kind: 'ignore',
  reason,
  effects,
});

/**
 * What to answer to a classified request (RFC 2131 §4.3), with the lease writes it implies.
 * Pure: no socket, no database, no clock.
 */
export function decide(c: ClientInfo, ctx: PolicyContext): Decision {
  if (ctx.view.size === null) return ignore('no-machine-table');
  const machine = c.mac ? ctx.view.byMac(c.mac) : null;
  switch (c.type) {
    case 'DISCOVER':
      return discover(c, machine, ctx);
    case 'REQUEST':
      return request(c, machine, ctx);
    case 'DECLINE':
      return decline(c, machine, ctx);
    case 'RELEASE':
      return release(c, machine, ctx);
    case 'INFORM':
      return inform(c, machine, ctx);
    default:
      return ignore('server-message-type');
  }
}

function fixedTarget(machine: KnownMachine, plan: DhcpPlan) {
  const ip = parseIpv4(machine.ip);
  const subnet = ip === null ? null : subnetFor(plan, ip);
  return ip === null || subnet === null ? null : { ip, subnet };
}

function reply(
  type: 'OFFER' | 'ACK',
  c: ClientInfo,
  ctx: PolicyContext,
  subnet: DhcpSubnet,
  machine: KnownMachine | null,
  lease: { ip: number; seconds: number } | null,
  effects: Lease[],
): Reply {
  return {
    kind: 'reply',
    type,
    subnet,
    serverId: ctx.serverId(subnet),
    yiaddr: lease ? formatIpv4(lease.ip) : null,
    leaseSeconds: lease ? lease.seconds : null,
    machine,
    boot: bootChoice(ctx.plan, machine, c.kind, subnet),
    effects,
  };
}

/** The subnet an unknown client's dynamic address comes from, or why there is none. */
function dynamicSubnet(c: ClientInfo, ctx: PolicyContext): DhcpSubnet | Ignore {
  if (c.giaddr !== null) {
    const relayed = subnetFor(ctx.plan, c.giaddr);
    if (!relayed) return ignore('relay-not-in-plan');
    return relayed.dynamic ? relayed : ignore('unknown-client');
  }
  const hint = c.ciaddr ?? c.requestedIp;
  const hinted = hint === null ? null : subnetFor(ctx.plan, hint);
  if (hinted?.dynamic) return hinted;
  return ctx.defaultSubnet ?? ignore('unknown-client');
}

function inRange(subnet: DhcpSubnet, ip: number): boolean {
  const dyn = subnet.dynamic;
  if (!dyn) return false;
  return ip >= (parseIpv4(dyn.from) ?? 0) && ip <= (parseIpv4(dyn.to) ?? -1);
}

/** Free for this client: no known machine's, no one else's live lease, no quarantine. */
function isFree(ip: number, c: ClientInfo, ctx: PolicyContext): boolean {
  if (ctx.view.byIp(ip)) return false;
  const lease = ctx.leases.byIp(ip);
  if (!lease || lease.expiresAt <= ctx.now) return true;
  if (lease.state === 'declined') return false;
  return lease.key === c.key || (c.mac !== null && lease.mac === c.mac);
}

/** The client's current address if any, else the requested one if free, else the lowest free. */
function allocate(c: ClientInfo, subnet: DhcpSubnet, ctx: PolicyContext): number | null {
  const current = ctx.leases.byClient(c.key, c.mac);
  if (current && current.state !== 'declined' && inRange(subnet, current.ip)) {
    if (isFree(current.ip, c, ctx)) return current.ip;
  }
  const requested = c.requestedIp === null ? null : parseIpv4(c.requestedIp);
  if (requested !== null && inRange(subnet, requested) && isFree(requested, c, ctx)) {
    return requested;
  }
  const from = parseIpv4(subnet.dynamic!.from)!;
  const to = parseIpv4(subnet.dynamic!.to)!;
  for (const ip of ctx.leases.freeIps(from, to, ctx.now)) if (isFree(ip, c, ctx)) return ip;
  return null;
}

function leaseRow(
  c: ClientInfo,
  ip: number,
  state: Lease['state'],
  expiresAt: number,
  subnet: DhcpSubnet,
): Lease {
  return {
    ip,
    key: c.key,
    mac: c.mac,
    state,
    expiresAt,
    subnet: subnet.name,
    hostname: c.hostname,
  };
}

function discover(c: ClientInfo, machine: KnownMachine | null, ctx: PolicyContext): Decision {
  if (machine) {
    const fixed = fixedTarget(machine, ctx.plan);
    if (!fixed) return ignore('fixed-address-outside-plan');
    const seconds = ctx.plan.lease_seconds;
    return reply('OFFER', c, ctx, fixed.subnet, machine, { ip: fixed.ip, seconds }, []);
  }
  const subnet = dynamicSubnet(c, ctx);
  if ('kind' in subnet) return subnet;
  const ip = allocate(c, subnet, ctx);
  if (ip === null) return ignore('pool-exhausted');
  const current = ctx.leases.byIp(ip);
  const stillBound = current?.state === 'bound' && current.expiresAt > ctx.now;
  const effects = stillBound ? [] : [leaseRow(c, ip, 'offered', ctx.now + ctx.offerHoldMs, subnet)];
  const seconds = subnet.dynamic!.lease_seconds;
  return reply('OFFER', c, ctx, subnet, null, { ip, seconds }, effects);
}

function request(c: ClientInfo, machine: KnownMachine | null, ctx: PolicyContext): Decision {
  if (c.serverId !== null) {
    if (!ctx.isOurs(c.serverId)) {
      // SELECTING another server's offer: what we offered this client is free again.
      const held = ctx.leases.byClient(c.key, c.mac);
      const effects =
        held?.state === 'offered'
          ? [{ ...held, state: 'released' as const, expiresAt: ctx.now }]
          : [];
      return ignore('other-server', effects);
    }
    if (c.requestedIp === null) return ignore('selecting-without-requested-address');
    return confirm(c, machine, c.requestedIp, ctx);
  }
  if (c.requestedIp !== null) return confirm(c, machine, c.requestedIp, ctx); // INIT-REBOOT
  if (c.ciaddr !== null) return confirm(c, machine, c.ciaddr, ctx); // RENEWING, REBINDING
  return ignore('request-without-address');
}

function nak(reason: string, subnet: DhcpSubnet | null, ctx: PolicyContext): Nak {
  const fallback = subnet ?? ctx.defaultSubnet ?? ctx.plan.subnets[0]!;
  return { kind: 'nak', reason, serverId: ctx.serverId(fallback), effects: [] };
}

/** A REQUEST for `address` (SELECTING, INIT-REBOOT, RENEWING or REBINDING): ACK or NAK. */
function confirm(
  c: ClientInfo,
  machine: KnownMachine | null,
  address: string,
  ctx: PolicyContext,
): Decision {
  const ip = parseIpv4(address)!;
  const subnet = subnetFor(ctx.plan, ip);
  const relayed = c.giaddr === null ? null : subnetFor(ctx.plan, c.giaddr);
  if (c.giaddr !== null && !relayed) return ignore('relay-not-in-plan');
  if (!subnet) return nak(`${address} is not on a network served here`, relayed, ctx);
  if (machine) {
    const fixed = fixedTarget(machine, ctx.plan);
    if (!fixed) return ignore('fixed-address-outside-plan');
    if (fixed.ip !== ip) {
      return nak(`${address} is not ${machine.hostname}'s address (${machine.ip})`, subnet, ctx);
    }
    const seconds = ctx.plan.lease_seconds;
    const row = leaseRow(c, ip, 'bound', ctx.now + seconds * 1000, subnet);
    row.hostname = machine.hostname;
    return reply('ACK', c, ctx, subnet, machine, { ip, seconds }, [row]);
  }
  if (relayed && relayed.name !== subnet.name) {
    return nak(`${address} is not on the relay's network ${relayed.network}`, relayed, ctx);
  }
  if (!subnet.dynamic) return nak(`unknown client: ${address} is for known machines`, subnet, ctx);
  const lease = ctx.leases.byClient(c.key, c.mac);
  const ours = lease && lease.state !== 'declined' && lease.ip === ip && isFree(ip, c, ctx);
  if (!ours) {
    if (lease && lease.state !== 'declined' && lease.ip !== ip) {
      return nak(`${address} is not this client's lease (${formatIpv4(lease.ip)})`, subnet, ctx);
    }
    if (!inRange(subnet, ip) || !isFree(ip, c, ctx)) {
      return nak(`${address} is in use or outside the dynamic range`, subnet, ctx);
    }
  }
  const seconds = subnet.dynamic.lease_seconds;
  const row = leaseRow(c, ip, 'bound', ctx.now + seconds * 1000, subnet);
  return reply('ACK', c, ctx, subnet, null, { ip, seconds }, [row]);
}

function decline(c: ClientInfo, machine: KnownMachine | null, ctx: PolicyContext): Decision {
  if (c.serverId !== null && !ctx.isOurs(c.serverId)) return ignore('other-server');
  if (c.requestedIp === null) return ignore('decline-without-address');
  if (machine) return { kind: 'noreply', note: 'fixed-address-in-use', effects: [] };
  const ip = parseIpv4(c.requestedIp)!;
  const lease = ctx.leases.byIp(ip);
  if (!lease || (lease.key !== c.key && lease.mac !== c.mac)) {
    return { kind: 'noreply', note: 'decline-of-unknown-lease', effects: [] };
  }
  const quarantined: Lease = {
    ...lease,
    key: `declined:${lease.key}`,
    state: 'declined',
    expiresAt: ctx.now + ctx.quarantineMs,
  };
  return { kind: 'noreply', note: 'declined', effects: [quarantined] };
}

function release(c: ClientInfo, machine: KnownMachine | null, ctx: PolicyContext): Decision {
  if (c.serverId !== null && !ctx.isOurs(c.serverId)) return ignore('other-server');
  const lease = ctx.leases.byClient(c.key, c.mac);
  const ip = c.ciaddr === null ? null : parseIpv4(c.ciaddr);
  if (!lease || lease.ip !== ip || lease.state === 'declined' || lease.state === 'released') {
    return {
      kind: 'noreply',
      note: machine ? 'released' : 'release-of-unknown-lease',
      effects: [],
    };
  }
  return {
    kind: 'noreply',
    note: 'released',
    effects: [{ ...lease, state: 'released', expiresAt: ctx.now }],
  };
}

function inform(c: ClientInfo, machine: KnownMachine | null, ctx: PolicyContext): Decision {
  const address = c.ciaddr ?? c.giaddr;
  const subnet = address === null ? null : subnetFor(ctx.plan, address);
  if (!subnet) return ignore('inform-not-in-plan');
  return reply('ACK', c, ctx, subnet, machine, null, []);
}
