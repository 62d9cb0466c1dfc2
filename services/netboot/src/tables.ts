import type { HealthReport, Logger } from '@lanctl/core';
import type { BootProfile, Machine, MachineType, Room, Switch } from '@lanctl/model';
import { followTables as followStreams } from '@lanctl/sync';

/** The mdb tables netboot follows, as read-only views (STYLE: narrow read interfaces). */
export interface MdbTables {
  machineByMac(mac: string): Machine | undefined;
  machineByHostname(hostname: string): Machine | undefined;
  machines(): Machine[];
  switches(): Switch[];
  rooms(): Room[];
  machineTypes(): MachineType[];
  bootProfiles(): BootProfile[];
  /** The NFS address of RFS n: the machine named or aliased exactly `rfs<n>` (not a substring). */
  rfsAddress(n: number): string | null;
  /** False until the machines table exists (from mdb or the state file): no MAC is "unknown" yet. */
  machinesLoaded(): boolean;
}

export interface FollowedTables extends MdbTables {
  start(): void;
  stop(): Promise<void>;
  ready(): Promise<void>;
  health(): HealthReport;
}

const TABLES = ['machines', 'switches', 'rooms', 'machine_types', 'boot_profiles'] as const;

/** A type, not an interface: followTables needs the implicit index signature. */
type NetbootTables = {
  machines: Machine;
  switches: Switch;
  rooms: Room;
  machine_types: MachineType;
  boot_profiles: BootProfile;
};

/** One stream per table from mdb's sync port, each with its last good state in `stateDir`. */
export function followTables(options: {
  upstream: string;
  token: string | (() => string);
  stateDir: string;
  logger: Logger;
}): FollowedTables {
  let byMac = new Map<string, Machine>();
  let byName = new Map<string, Machine>();
  const { token } = options;
  const source = {
    upstream: options.upstream,
    token: typeof token === 'string' ? () => token : token,
  };
  const tables = followStreams<NetbootTables>({
    tables: Object.fromEntries(TABLES.map((t) => [t, source])) as Record<
      keyof NetbootTables,
      typeof source
    >,
    stateDir: options.stateDir,
    logger: options.logger,
    onUpdate: (table, state) => {
      if (table === 'machines') index(state);
    },
  });
  function index(state: ReadonlyMap<string, Machine>) {
    const macs = new Map<string, Machine>();
    const names = new Map<string, Machine>();
    for (const m of state.values()) {
      macs.set(m.mac.toLowerCase(), m);
      names.set(m.hostname, m);
      for (const alias of m.aliases) if (!names.has(alias)) names.set(alias, m);
    }
    byMac = macs;
    byName = names;
  }
  const list = <K extends keyof NetbootTables>(table: K) => [...tables.state(table).values()];
  return {
    machineByMac: (mac) => byMac.get(mac),
    machineByHostname: (hostname) => {
      const m = byName.get(hostname.toLowerCase());
      return m?.hostname === hostname.toLowerCase() ? m : undefined;
    },
    machines: () => list('machines'),
    switches: () => list('switches'),
    rooms: () => list('rooms'),
    machineTypes: () => list('machine_types'),
    bootProfiles: () => list('boot_profiles'),
    rfsAddress: (n) => byName.get(`rfs${n}`)?.ip ?? null,
    machinesLoaded: () => tables.received('machines') && tables.received('boot_profiles'),
    start: () => tables.start(),
    stop: () => tables.stop(),
    ready: () => tables.ready(),
    health(): HealthReport {
      const missing = tables.waitingFor();
      const down = TABLES.filter((t) => !tables.clients[t].connected);
      const detail = {
        upstream: options.upstream,
        machines: byMac.size,
        tables: tables.status(),
      };
      if (missing.length > 0) {
        const reason = `no ${missing.join(', ')} yet: mdb unreachable and no state file`;
        return { ok: false, status: 'down', reason, ...detail };
      }
      if (down.length === 0) return { ok: true, status: 'ok', ...detail };
      const reason = `streams from ${options.upstream} disconnected (${down.join(', ')}): serving the last good tables`;
      return { ok: true, status: 'degraded', reason, ...detail };
    },
  };
}
