import {
  type Cidr,
  cidrContains,
  cidrSchema,
  formatIpv4,
  hostRange,
  ipv4Schema,
  nameSchema,
  parseCidr,
  parseIpv4,
  prefixMask,
} from '@lanctl/model';
import { z } from 'zod';

/**
 * The site's DHCP plan: subnets, lease times and boot files. One schema shared by the native
 * server (services/dhcp) and the Kea / dnsmasq / ISC dhcpd generators (services/confgen), so
 * both answer the same thing to the same machine.
 */

/** How a DHCP client boots: a plain PXE ROM (BIOS), UEFI firmware's PXE client, or iPXE. */
export type ClientKind = 'bios' | 'uefi' | 'ipxe';

/** The iPXE "scriptlet" string (option 175.81) given to a machine in the `faulty` state. */
export const DEFAULT_FAULTY_SCRIPTLET = 'faulty';
/** The iPXE scriptlet given to unknown machines (aliens), as SADM's dhcpd.conf. */
export const DEFAULT_ALIEN_SCRIPTLET = 'alien';

const leaseSeconds = z.number().int('expected an integer').min(10).max(31_536_000);

/** A pool of addresses for unknown machines (SADM: aliens, 192.168.250.1–.200, 30 s). */
export const dynamicRangeSchema = z
  .object({
    from: ipv4Schema,
    to: ipv4Schema,
    lease_seconds: leaseSeconds.default(30),
    /** Put in option 175.81 for iPXE; the bootstrap script shows the registration menu on it. */
    scriptlet: z.string().min(1).max(255).default(DEFAULT_ALIEN_SCRIPTLET),
  })
  .strict();

export const subnetSchema = z
  .object({
    name: nameSchema,
    network: cidrSchema,
    /**
     * Option 1 when it differs from the network's own mask (SADM: 255.255.254.0, users and
     * servers share one /23 LAN whose router is 192.168.1.254); null: the network's mask.
     */
    netmask: ipv4Schema.nullable().default(null),
    /** Option 3; null: none sent. Inside the network (or the wider netmask). */
    router: ipv4Schema.nullable().default(null),
    /** Option 6. */
    dns: z.array(ipv4Schema).max(8).default([]),
    /** siaddr and option 66: the TFTP server holding the boot files. */
    next_server: ipv4Schema,
    /** The interface this subnet is on (generators; the native server listens per address). */
    interface: z.string().min(1).max(15).nullable().default(null),
    /** null: fixed addresses only (unknown clients on this subnet are not answered). */
    dynamic: dynamicRangeSchema.nullable().default(null),
  })
  .strict();

/** A boot-file rule: applies to known machines of this type and/or room; unset fields inherit. */
export const bootRuleSchema = z
  .object({
    mtype: nameSchema.optional(),
    room: nameSchema.optional(),
    bios_file: z.string().min(1).max(127).optional(),
    uefi_file: z.string().min(1).max(127).optional(),
    ipxe_url: z.string().min(1).max(255).optional(),
  })
  .strict();

export const bootSchema = z
  .object({
    /** TFTP file for plain BIOS PXE ROMs: an iPXE that chains to DHCP again. */
    bios_file: z.string().min(1).max(127).default('undionly.kpxe'),
    /** TFTP file for UEFI PXE (arch 7, 9): `snponly.efi` (or `ipxe.efi`). */
    uefi_file: z.string().min(1).max(127).default('snponly.efi'),
    /** Boot file name given to iPXE itself: the netboot HTTP service's bootstrap script. */
    ipxe_url: z.string().min(1).max(255).default('http://netboot/bootstrap'),
    /** First matching rule wins (in order); a rule with neither mtype nor room matches any known machine. */
    rules: z.array(bootRuleSchema).max(256).default([]),
  })
  .strict();

export const dhcpPlanSchema = z
  .object({
    /** Option 15. */
    domain: z.string().min(1).max(253).default('prolo'),
    /** Lease time of known machines' fixed addresses (SADM: 14400 s). */
    lease_seconds: leaseSeconds.default(14_400),
    subnets: z.array(subnetSchema).min(1, 'expected at least one subnet'),
    boot: bootSchema.prefault({}),
    /** iPXE scriptlet (175.81) for machines marked faulty in mdb; null: faulty machines boot as usual. */
    faulty_scriptlet: z.string().min(1).max(255).nullable().default(DEFAULT_FAULTY_SCRIPTLET),
  })
  .strict()
  .superRefine((plan, ctx) => checkSubnets(plan.subnets, ctx));

export type DhcpPlan = z.output<typeof dhcpPlanSchema>;
export type DhcpPlanInput = z.input<typeof dhcpPlanSchema>;
export type DhcpSubnet = z.output<typeof subnetSchema>;
export type DynamicRange = z.output<typeof dynamicRangeSchema>;
export type BootRule = z.output<typeof bootRuleSchema>;

type Issue = { addIssue(issue: { code: 'custom'; message: string; path: PropertyKey[] }): void };

function checkSubnets(subnets: DhcpSubnet[], ctx: Issue): void {
  const seen = new Map<string, number>();
  const cidrs: (Cidr | null)[] = subnets.map((s) => parseCidr(s.network));
  subnets.forEach((subnet, i) => {
    const issue = (message: string, ...path: PropertyKey[]) =>
      ctx.addIssue({ code: 'custom', message, path: ['subnets', i, ...path] });
    if (seen.has(subnet.name)) issue(`duplicate subnet name ${subnet.name}`, 'name');
    seen.set(subnet.name, i);
    const cidr = cidrs[i];
    if (!cidr) return;
    for (let j = 0; j < i; j++) {
      const other = cidrs[j];
      if (other && cidr.network <= other.broadcast && other.network <= cidr.broadcast) {
        issue(`overlaps subnet ${subnets[j]!.name} (${subnets[j]!.network})`, 'network');
      }
    }
    const mask = subnet.netmask === null ? null : parseIpv4(subnet.netmask);
    if (mask !== null && !isContiguousMask(mask)) issue('expected a contiguous mask', 'netmask');
    const onLink = (ip: number) =>
      cidrContains(cidr, ip) || (mask !== null && ((ip ^ cidr.network) & mask) >>> 0 === 0);
    if (subnet.router !== null && !onLink(parseIpv4(subnet.router) ?? -1)) {
      issue('not in network', 'router');
    }
    const dyn = subnet.dynamic;
    if (!dyn) return;
    const { first, last } = hostRange(cidr);
    const from = parseIpv4(dyn.from) ?? -1;
    const to = parseIpv4(dyn.to) ?? -1;
    if (from < first || from > last) issue('not a host address of network', 'dynamic', 'from');
    if (to < first || to > last) issue('not a host address of network', 'dynamic', 'to');
    if (from > to) issue('expected from <= to', 'dynamic', 'to');
  });
}

function isContiguousMask(mask: number): boolean {
  const inverted = ~mask >>> 0;
  return (inverted & (inverted + 1)) === 0;
}

/** The subnet's option 1: `netmask`, or the mask of its network. */
export function subnetMask(subnet: DhcpSubnet): string {
  if (subnet.netmask !== null) return subnet.netmask;
  return formatIpv4(prefixMask(networkOf(subnet)?.prefix ?? 32));
}

/** Parsed `network` per subnet object (subnetFor runs for every packet; plans do not change). */
const networks = new WeakMap<DhcpSubnet, ReturnType<typeof parseCidr>>();

function networkOf(subnet: DhcpSubnet): ReturnType<typeof parseCidr> {
  let cidr = networks.get(subnet);
  if (cidr === undefined) {
    cidr = parseCidr(subnet.network);
    networks.set(subnet, cidr);
  }
  return cidr;
}

/** The subnet containing `ip` (dotted quad or integer), or null. */
export function subnetFor(plan: DhcpPlan, ip: string | number): DhcpSubnet | null {
  const value = typeof ip === 'number' ? ip : parseIpv4(ip);
  if (value === null) return null;
  for (const subnet of plan.subnets) {
    const cidr = networkOf(subnet);
    if (cidr && cidrContains(cidr, value)) return subnet;
  }
  return null;
}

/** What of a known machine the boot choice depends on (a mdb Machine fits). */
export interface BootMachine {
  mtype: string;
  room: string;
  is_faulty: boolean;
}

export interface BootChoice {
  /** The file field / option 67: a TFTP path for PXE ROMs, an HTTP URL for iPXE. */
  filename: string;
  /** iPXE option 175.81 (`scriptlet`): the alien or faulty marker, else null. */
  scriptlet: string | null;
}

/** The first rule matching a known machine (unknown machines match no rule). */
export function bootRuleFor(plan: DhcpPlan, machine: BootMachine | null): BootRule | null {
  if (!machine) return null;
  for (const rule of plan.boot.rules) {
    if (rule.mtype !== undefined && rule.mtype !== machine.mtype) continue;
    if (rule.room !== undefined && rule.room !== machine.room) continue;
    return rule;
  }
  return null;
}

/**
 * The boot file and scriptlet for a client: plain BIOS PXE gets the TFTP `bios_file`, UEFI PXE
 * the `uefi_file`, iPXE the `ipxe_url`, each overridable by the first matching rule. Unknown
 * machines (`machine` null) get the scriptlet of the subnet's dynamic range (`alien` when no
 * subnet is given); machines marked faulty get `plan.faulty_scriptlet`. The scriptlet is only
 * meaningful to iPXE (servers send option 175 to iPXE clients only).
 */
export function bootChoice(
  plan: DhcpPlan,
  machine: BootMachine | null,
  kind: ClientKind,
  subnet?: DhcpSubnet | null,
): BootChoice {
  const rule = bootRuleFor(plan, machine);
  const boot = plan.boot;
  const filename =
    kind === 'bios'
      ? (rule?.bios_file ?? boot.bios_file)
      : kind === 'uefi'
        ? (rule?.uefi_file ?? boot.uefi_file)
        : (rule?.ipxe_url ?? boot.ipxe_url);
  let scriptlet: string | null = null;
  if (!machine) scriptlet = subnet?.dynamic?.scriptlet ?? DEFAULT_ALIEN_SCRIPTLET;
  else if (machine.is_faulty) scriptlet = plan.faulty_scriptlet;
  return { filename, scriptlet };
}

/** SADM's plan (dhcpd.conf of ansible/roles/dhcpd), as input for `dhcpPlanSchema.parse`. */
export function sadmDhcpPlanInput(): DhcpPlanInput {
  const gw = '192.168.1.254';
  const wide = '255.255.254.0';
  return {
    domain: 'prolo',
    lease_seconds: 14_400,
    subnets: [
      {
        name: 'users',
        network: '192.168.0.0/24',
        netmask: wide,
        router: gw,
        dns: [gw],
        next_server: gw,
      },
      {
        name: 'servers',
        network: '192.168.1.0/24',
        netmask: wide,
        router: gw,
        dns: [gw],
        next_server: gw,
      },
      {
        name: 'aliens',
        network: '192.168.250.0/24',
        router: '192.168.250.254',
        dns: ['192.168.250.254'],
        next_server: '192.168.250.254',
        dynamic: { from: '192.168.250.1', to: '192.168.250.200', lease_seconds: 30 },
      },
    ],
  };
}
