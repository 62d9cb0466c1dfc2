import type { Machine, Pool } from '@lanctl/model';

/**
 * mdb records as the streams carry them, with SADM-like defaults, for tests and benchmarks that
 * feed consumers (DHCP, DNS, generators) without an mdb. Free of vitest: benchmarks import it.
 */
export function machineRecord(
  fields: Pick<Machine, 'hostname' | 'ip'> & Partial<Machine>,
): Machine {
  return {
    aliases: [],
    mac: '52:54:00:00:00:01',
    rfs: 0,
    hfs: 0,
    mtype: 'user',
    room: 'pasteur',
    is_faulty: false,
    is_faulty_details: '',
    uuid: null,
    boot_profile: null,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...fields,
  };
}

export function poolRecord(name: string, network: string, fields: Partial<Pool> = {}): Pool {
  return { name, network, reserved: [], mtypes: [], used: 0, size: 0, ...fields };
}
