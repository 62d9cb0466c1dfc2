import { type ClientKind, subnetMask } from '@lanctl/dhcp-wire';
import { formatIpv4, parseIpv4 } from '@lanctl/model';
import type { DhcpView, DhcpViewSubnet } from '../dhcp-view.ts';
import { splitCidr } from '../dhcp-view.ts';

type Json = Record<string, unknown>;
export const KINDS: ClientKind[] = ['bios', 'uefi', 'ipxe'];

/**
 * Kea's `subnet4` and `shared-networks` from the plan's subnets.
 * - Kea derives option 1 from the subnet's prefix and cannot send another mask: plan subnets
 *   whose `netmask` widens them into one network (SADM: users and servers, 192.168.0.0/23) are
 *   one Kea subnet of that network, holding the reservations and pools of all; they must then
 *   agree on router, dns, next_server and interface (an error names the field otherwise).
 * - Kea subnets sharing an `interface` are one link: a shared network (SADM's `prolo-lan`), so a
 *   client is found by its reservation in any of them and unknown clients get the one with a pool.
 */
export function keaSubnets(view: DhcpView): Json {
  const groups = new Map<string, DhcpViewSubnet[]>();
  for (const s of view.subnets) {
    const network = keaNetwork(s);
    groups.set(network, [...(groups.get(network) ?? []), s]);
  }
  const all = [...groups].map(([network, group], i) => ({
    iface: group[0]!.subnet.interface,
    json: subnet(network, group, i + 1, view),
  }));
  const byInterface = new Map<string, Json[]>();
  for (const { iface, json } of all) {
    if (iface) byInterface.set(iface, [...(byInterface.get(iface) ?? []), json]);
  }
  const shared = [...byInterface].filter(([, list]) => list.length > 1);
  const inShared = new Set(shared.flatMap(([, list]) => list));
  const out: Json = { subnet4: all.map((x) => x.json).filter((j) => !inShared.has(j)) };
  if (shared.length > 0) {
    out['shared-networks'] = shared.map(([name, list]) => ({
      name: `link-${name}`,
      interface: name,
      subnet4: list.map(({ interface: _, ...rest }) => rest),
    }));
  }
  return out;
}

/** The network Kea must see for the mask the plan sends: `a.b.c.d/n` of the (wider) netmask. */
function keaNetwork(s: DhcpViewSubnet): string {
  if (s.subnet.netmask === null) return s.subnet.network;
  const mask = parseIpv4(subnetMask(s.subnet))!;
  const address = parseIpv4(splitCidr(s.subnet.network).address)!;
  const prefix = mask === 0 ? 0 : 32 - Math.log2((~mask >>> 0) + 1);
  return `${formatIpv4((address & mask) >>> 0)}/${prefix}`;
}

const SHARED_FIELDS = ['router', 'dns', 'next_server', 'interface'] as const;

function subnet(network: string, group: DhcpViewSubnet[], id: number, view: DhcpView): Json {
  const first = group[0]!.subnet;
  for (const other of group.slice(1)) {
    for (const field of SHARED_FIELDS) {
      if (JSON.stringify(other.subnet[field]) !== JSON.stringify(first[field])) {
        throw new Error(
          `kea: subnets ${first.name} and ${other.subnet.name} share ${network} (netmask) but differ in ${field}: Kea has one subnet per network`,
        );
      }
    }
  }
  const options: Json[] = [];
  if (first.router) options.push({ name: 'routers', data: first.router });
  if (first.dns.length > 0)
    options.push({ name: 'domain-name-servers', data: first.dns.join(', ') });
  const aliens = group.flatMap((s) => (s.alien ? [s.alien] : []));
  const dynamic = group.flatMap((s) => (s.subnet.dynamic ? [s.subnet.dynamic] : []));
  const out: Json = {
    id,
    subnet: network,
    comment: `lanctl subnet ${group.map((s) => s.subnet.name).join(' + ')}`,
    'next-server': first.next_server,
  };
  if (first.interface) out.interface = first.interface;
  if (dynamic.length > 0) {
    out['valid-lifetime'] = Math.min(...dynamic.map((d) => d.lease_seconds));
    out.pools = dynamic.map((d) => ({ pool: `${d.from} - ${d.to}` }));
  }
  out['option-data'] = options;
  out['require-client-classes'] = [
    ...view.profiles.flatMap((p) => KINDS.map((k) => `${p.tag}-${k}`)),
    ...aliens.flatMap((a) => KINDS.map((k) => `${a.tag}-${k}`)),
  ];
  out.reservations = group.flatMap((s) =>
    s.hosts.map((h) => ({
      'hw-address': h.mac,
      'ip-address': h.ip,
      hostname: h.hostname,
      'client-classes': [h.profile.tag],
    })),
  );
  return out;
}
