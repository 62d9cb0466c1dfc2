import { join } from 'node:path';
import type { HealthReport, Logger } from '@lanctl/core';
import type { BootProfile, Machine, MachineType, Room, Switch } from '@lanctl/model';
import { createSyncClient, type SyncClient } from '@lanctl/sync';

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
type TableName = (typeof TABLES)[number];

/** One stream per table from mdb's sync port, each with its last good state in `stateDir`. */
export function followTables(options: {
  upstream: string;
  token: string | (() => string);
  stateDir: string;
  logger: Logger;
}): FollowedTables {
  let byMac = new Map<string, Machine>();
  let byName = new Map<string, Machine>();
  const clients = {} as Record<TableName, SyncClient<unknown>>;
  const loaded = new Set<TableName>();
  for (const table of TABLES) {
    clients[table] = createSyncClient<unknown>({
      baseUrl: options.upstream,
      table,
      token: options.token,
      stateFile: join(options.stateDir, `${table}.json`),
      logger: options.logger,
      onUpdate: (state) => {
        if (table === 'machines') index(state as ReadonlyMap<string, Machine>);
        loaded.add(table);
        options.logger.info('table updated', { table, records: state.size });
      },
    });
  }
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
  const list = <R>(table: TableName) => [
    ...(clients[table].state as ReadonlyMap<string, R>).values(),
  ];
  return {
    machineByMac: (mac) => byMac.get(mac),
    machineByHostname: (hostname) => {
      const m = byName.get(hostname.toLowerCase());
      return m?.hostname === hostname.toLowerCase() ? m : undefined;
    },
    machines: () => list<Machine>('machines'),
    switches: () => list<Switch>('switches'),
    rooms: () => list<Room>('rooms'),
    machineTypes: () => list<MachineType>('machine_types'),
    bootProfiles: () => list<BootProfile>('boot_profiles'),
    rfsAddress: (n) => byName.get(`rfs${n}`)?.ip ?? null,
    machinesLoaded: () => loaded.has('machines') && loaded.has('boot_profiles'),
    start() {
      for (const c of Object.values(clients)) c.start();
    },
    async stop() {
      await Promise.all(Object.values(clients).map((c) => c.stop()));
    },
    async ready() {
      await Promise.all(Object.values(clients).map((c) => c.ready()));
    },
    health(): HealthReport {
      const missing = TABLES.filter((t) => !loaded.has(t));
      const down = TABLES.filter((t) => !clients[t].connected);
      const detail = {
        upstream: options.upstream,
        machines: byMac.size,
        tables: Object.fromEntries(TABLES.map((t) => [t, clients[t].status])),
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
