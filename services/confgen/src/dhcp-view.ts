import { createHash } from 'node:crypto';
import {
  type BootChoice,
  bootChoice,
  type ClientKind,
  type DhcpPlan,
  type DhcpSubnet,
  subnetFor,
} from '@lanctl/dhcp-wire';
import { formatIpv4, type Machine, prefixMask } from '@lanctl/model';

/**
 * What every DHCP generator renders: the plan's subnets, each with its known machines, and a
 * boot profile per distinct answer of `bootChoice`. The reservations and boot files come from
 * @lanctl/dhcp-wire only (`subnetFor`, `bootChoice`), so Kea, dnsmasq, dhcpd and the native
 * server answer a machine alike.
 */

const KINDS: ClientKind[] = ['bios', 'uefi', 'ipxe'];

/** The answers for one client by kind of boot ROM. */
export interface BootProfile {
  /** `boot-<hash of the answers>`: class / tag name, the same as long as the answers are. */
  tag: string;
  bios: BootChoice;
  uefi: BootChoice;
  ipxe: BootChoice;
}

export interface DhcpHost {
  hostname: string;
  mac: string;
  ip: string;
  profile: BootProfile;
}

export interface DhcpViewSubnet {
  subnet: DhcpSubnet;
  hosts: DhcpHost[];
  /** Answers for unknown clients of the dynamic range (null: none served). */
  alien: BootProfile | null;
}

export interface DhcpView {
  plan: DhcpPlan;
  subnets: DhcpViewSubnet[];
  /** Every profile of a known machine, by tag. */
  profiles: BootProfile[];
  /** Machines whose address is in no subnet of the plan (served by none; logged). */
  unplaced: Machine[];
}

export function buildDhcpView(plan: DhcpPlan, machines: readonly Machine[]): DhcpView {
  const profiles = new Map<string, BootProfile>();
  const profileOf = (choices: Record<ClientKind, BootChoice>): BootProfile => {
    const key = JSON.stringify(KINDS.map((k) => choices[k]));
    let profile = profiles.get(key);
    if (!profile) {
      profile = {
        tag: `boot-${createHash('sha256').update(key).digest('hex').slice(0, 8)}`,
        ...choices,
      };
      profiles.set(key, profile);
    }
    return profile;
  };
  const bySubnet = new Map<string, DhcpHost[]>(plan.subnets.map((s) => [s.name, []]));
  const unplaced: Machine[] = [];
  const sorted = [...machines].sort((a, b) => a.hostname.localeCompare(b.hostname));
  for (const m of sorted) {
    const subnet = subnetFor(plan, m.ip);
    if (!subnet) {
      unplaced.push(m);
      continue;
    }
    const choices = choicesFor(plan, m, subnet);
    bySubnet.get(subnet.name)!.push({
      hostname: m.hostname,
      mac: m.mac,
      ip: m.ip,
      profile: profileOf(choices),
    });
  }
  const subnets = plan.subnets.map(
    (subnet): DhcpViewSubnet => ({
      subnet,
      hosts: bySubnet.get(subnet.name)!,
      alien: subnet.dynamic
        ? { tag: `alien-${subnet.name}`, ...choicesFor(plan, null, subnet) }
        : null,
    }),
  );
  // Sorted by tag: the order does not move when machines come and go.
  const sortedProfiles = [...profiles.values()].sort((a, b) => (a.tag < b.tag ? -1 : 1));
  return { plan, subnets, profiles: sortedProfiles, unplaced };
}

function choicesFor(
  plan: DhcpPlan,
  machine: Machine | null,
  subnet: DhcpSubnet,
): Record<ClientKind, BootChoice> {
  return {
    bios: bootChoice(plan, machine, 'bios', subnet),
    uefi: bootChoice(plan, machine, 'uefi', subnet),
    ipxe: bootChoice(plan, machine, 'ipxe', subnet),
  };
}

/** `a.b.c.d/n` → `{address, prefix, netmask}`. */
export function splitCidr(network: string): { address: string; prefix: number; netmask: string } {
  const [address, bits] = network.split('/');
  const prefix = Number(bits);
  return { address: address!, prefix, netmask: formatIpv4(prefixMask(prefix)) };
}
