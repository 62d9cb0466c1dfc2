import { type DhcpPlan, dhcpPlanSchema, sadmDhcpPlanInput } from '@lanctl/dhcp-wire';
import type { Machine, Pool } from '@lanctl/model';
import { machineRecord, poolRecord } from '@lanctl/testkit';

/** A mdb machine with SADM-like defaults (tests only). */
export const machine = (hostname: string, ip: string, mac: string, extra: Partial<Machine> = {}) =>
  machineRecord({ hostname, ip, mac, ...extra });

export const pool = (name: string, network: string): Pool => poolRecord(name, network);

/** SADM's pools. */
export const POOLS: Pool[] = [
  pool('user', '192.168.0.0/24'),
  pool('service', '192.168.1.0/24'),
  pool('cluster', '192.168.2.0/24'),
];

/** SADM's DHCP plan, with a boot rule: service machines boot the Arch installer by BIOS. */
export function sadmPlan(): DhcpPlan {
  const input = sadmDhcpPlanInput();
  input.boot = { rules: [{ mtype: 'service', bios_file: 'arch.kpxe' }] };
  return dhcpPlanSchema.parse(input);
}

export const MACHINES: Machine[] = [
  machine('pas-r01p01', '192.168.0.10', '52:54:00:00:00:01', { aliases: ['pc1'] }),
  machine('pas-r01p02', '192.168.0.11', '52:54:00:00:00:02', { is_faulty: true }),
  machine('rfs0', '192.168.1.10', '52:54:00:00:01:00', { mtype: 'service', aliases: ['rhfs0'] }),
  machine('stray', '10.1.2.3', '52:54:00:00:09:09'),
];
