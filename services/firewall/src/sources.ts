import { join } from 'node:path';
import type { Logger } from '@lanctl/core';
import type { Machine, PresenceRecord, SettingRecord, User } from '@lanctl/model';
import { createSyncClient, type SyncClient, type SyncStatus } from '@lanctl/sync';
import type { Upstream } from './config.ts';

/** Every table the firewall follows, and whose stream serves it. */
export const TABLES = ['machines', 'settings', 'users', 'presence'] as const;
export type Table = (typeof TABLES)[number];
const OWNER: Record<Table, Upstream> = {
  machines: 'mdb',
  settings: 'mdb',
  users: 'udb',
  presence: 'presence',
};

export interface Sources {
  readonly machines: ReadonlyMap<string, Machine>;
  readonly settings: ReadonlyMap<string, SettingRecord>;
  readonly users: ReadonlyMap<string, User>;
  readonly presence: ReadonlyMap<string, PresenceRecord>;
  /** Tables never received (nor loaded from a state file): nothing is applied while any is. */
  waitingFor(): Table[];
  status(): Record<Table, SyncStatus>;
  allConnected(): boolean;
  start(): void;
  stop(): Promise<void>;
}

/**
 * The four followed streams, each with its state file in `stateDir` (so a restart while upstream
 * is down starts from the last good tables). `onChange` runs after every applied batch.
 */
export function followSources(options: {
  urls: Record<Upstream, string>;
  token: (upstream: Upstream) => string;
  stateDir: string;
  logger: Logger;
  onChange: () => void;
  backoff?: { initialMs?: number; maxMs?: number };
}): Sources {
  const received = new Set<Table>();
  const follow = <R>(table: Table): SyncClient<R> =>
    createSyncClient<R>({
      baseUrl: options.urls[OWNER[table]],
      table,
      token: () => options.token(OWNER[table]),
      stateFile: join(options.stateDir, `${table}.json`),
      logger: options.logger,
      backoff: options.backoff,
      onUpdate: (state) => {
        if (!received.has(table)) {
          received.add(table);
          const waiting = TABLES.filter((t) => !received.has(t));
          options.logger.info(`table ${table} received`, {
            table,
            records: state.size,
            waiting_for: waiting,
          });
        }
        options.onChange();
      },
    });
  const clients = {
    machines: follow<Machine>('machines'),
    settings: follow<SettingRecord>('settings'),
    users: follow<User>('users'),
    presence: follow<PresenceRecord>('presence'),
  };
  const all = () => Object.values(clients) as SyncClient<unknown>[];
  return {
    get machines() {
      return clients.machines.state;
    },
    get settings() {
      return clients.settings.state;
    },
    get users() {
      return clients.users.state;
    },
    get presence() {
      return clients.presence.state;
    },
    waitingFor: () => TABLES.filter((t) => !received.has(t)),
    status: () =>
      Object.fromEntries(TABLES.map((t) => [t, clients[t].status])) as Record<Table, SyncStatus>,
    allConnected: () => all().every((c) => c.connected),
    start() {
      for (const c of all()) c.start();
    },
    async stop() {
      await Promise.all(all().map((c) => c.stop()));
    },
  };
}
