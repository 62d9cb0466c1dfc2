import type { Machine } from '@lanctl/model';
import { parseIpv4 } from '@lanctl/model';

/** What the DHCP policy needs of a known machine. */
export type KnownMachine = Pick<
  Machine,
  'hostname' | 'ip' | 'mac' | 'mtype' | 'room' | 'is_faulty'
>;

/** The policy's narrow read interface to the machine table (STYLE rule 4). */
export interface MachineView {
  /** null until a machine table exists (loaded from the state file or received from mdb). */
  readonly size: number | null;
  byMac(mac: string): KnownMachine | null;
  /** The machine whose fixed address this is (integer form). */
  byIp(ip: number): KnownMachine | null;
}

/** The synced in-memory index: rebuilt from the stream's state at each batch. */
export interface SyncedMachineView extends MachineView {
  replace(state: ReadonlyMap<string, Machine>): void;
}

export function createMachineView(): SyncedMachineView {
  let byMac = new Map<string, KnownMachine>();
  let byIp = new Map<number, KnownMachine>();
  let loaded = false;
  return {
    get size() {
      return loaded ? byMac.size : null;
    },
    byMac: (mac) => byMac.get(mac) ?? null,
    byIp: (ip) => byIp.get(ip) ?? null,
    replace(state) {
      const macs = new Map<string, KnownMachine>();
      const ips = new Map<number, KnownMachine>();
      for (const m of state.values()) {
        const machine: KnownMachine = {
          hostname: m.hostname,
          ip: m.ip,
          mac: m.mac.toLowerCase(),
          mtype: m.mtype,
          room: m.room,
          is_faulty: m.is_faulty,
        };
        macs.set(machine.mac, machine);
        const ip = m.ip ? parseIpv4(m.ip) : null;
        if (ip !== null) ips.set(ip, machine);
      }
      byMac = macs;
      byIp = ips;
      loaded = true;
    },
  };
}

/** A fixed view (tests, or a static list). */
export function fixedMachineView(machines: KnownMachine[]): MachineView {
  const view = createMachineView();
  view.replace(new Map(machines.map((m) => [m.hostname, m as Machine])));
  return view;
}
