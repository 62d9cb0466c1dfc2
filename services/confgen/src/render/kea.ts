import type { ClientKind } from '@lanctl/dhcp-wire';
import type { KeaOutput } from '../config.ts';
import type { BootProfile, DhcpView } from '../dhcp-view.ts';
import { KINDS, keaSubnets } from './kea-subnets.ts';

/**
 * kea-dhcp4.conf (Kea 2.2) from the DHCP view. Boot policy by client classes: `ipxe` (user class
 * `iPXE` or option 175), `uefi` (arch 7 or 9), `bios` (the rest); each boot profile is a class a
 * reservation assigns, combined with the kind in classes evaluated last (`only-if-required`,
 * listed in every subnet's `require-client-classes`), which set `boot-file-name` and, for iPXE,
 * option 175.81 (scriptlet). Unknown clients get their subnet's alien classes the same way.
 */

type Json = Record<string, unknown>;

/** Kea's option definitions for iPXE's encapsulated option 175 (as SADM's dhcpd.conf). */
const OPTION_DEFS: Json[] = [
  { space: 'dhcp4', name: 'ipxe-encap-opts', code: 175, type: 'empty', encapsulate: 'ipxe' },
  { space: 'ipxe', name: 'scriptlet', code: 81, type: 'string' },
  { space: 'ipxe', name: 'no-pxedhcp', code: 176, type: 'uint8' },
];

const KIND_CLASSES: Json[] = [
  { name: 'ipxe', test: "option[77].hex == 'iPXE' or option[175].exists" },
  {
    name: 'uefi',
    test: "not member('ipxe') and (option[93].hex == 0x0007 or option[93].hex == 0x0009)",
  },
  { name: 'bios', test: "not member('ipxe') and not member('uefi')" },
];

export function renderKea(view: DhcpView, output: KeaOutput): string {
  const interfaces = [
    ...new Set(view.subnets.flatMap((s) => (s.subnet.interface ? [s.subnet.interface] : []))),
  ];
  const config = {
    Dhcp4: {
      'interfaces-config': {
        interfaces: interfaces.length > 0 ? interfaces : ['*'],
        'dhcp-socket-type': 'raw',
      },
      'control-socket': { 'socket-type': 'unix', 'socket-name': output.control_socket },
      'lease-database': {
        type: 'memfile',
        persist: true,
        name: output.lease_file,
        'lfc-interval': 3600,
      },
      authoritative: true,
      // The PXE ROM and iPXE send different client ids for one MAC: one lease for both.
      'match-client-id': false,
      'valid-lifetime': view.plan.lease_seconds,
      'option-def': OPTION_DEFS,
      'option-data': [{ name: 'domain-name', data: view.plan.domain }],
      'client-classes': classes(view),
      ...keaSubnets(view),
    },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

function classes(view: DhcpView): Json[] {
  const out: Json[] = [...KIND_CLASSES];
  // Known machines keep the plan's lease time in a subnet whose own one is the aliens'.
  out.push({
    name: 'lanctl-known',
    test: "member('KNOWN')",
    'valid-lifetime': view.plan.lease_seconds,
  });
  for (const p of view.profiles) {
    out.push({ name: p.tag });
    out.push(...kindClasses(p, (kind) => `member('${p.tag}') and member('${kind}')`));
  }
  for (const s of view.subnets) {
    if (s.alien)
      out.push(...kindClasses(s.alien, (kind) => `member('UNKNOWN') and member('${kind}')`));
  }
  return out;
}

function kindClasses(p: BootProfile, test: (kind: ClientKind) => string): Json[] {
  return KINDS.map((kind) => {
    const cls: Json = {
      name: `${p.tag}-${kind}`,
      test: test(kind),
      'only-if-required': true,
      'boot-file-name': p[kind].filename,
    };
    if (kind === 'ipxe') cls['option-data'] = ipxeOptions(p[kind].scriptlet);
    return cls;
  });
}

function ipxeOptions(scriptlet: string | null): Json[] {
  const options: Json[] = [
    { name: 'ipxe-encap-opts', code: 175, 'always-send': true },
    { space: 'ipxe', name: 'no-pxedhcp', code: 176, data: '1' },
  ];
  if (scriptlet !== null)
    options.push({ space: 'ipxe', name: 'scriptlet', code: 81, data: scriptlet });
  return options;
}
