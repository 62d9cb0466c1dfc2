import { join } from 'node:path';
import type { Logger } from '@lanctl/core';
import type { Group, Machine, PresenceRecord, Room, User } from '@lanctl/model';
import { createSyncClient, type SyncClient, type SyncClientOptions } from '@lanctl/sync';
import type { UsermapSource } from './usermap/source.ts';

export type Upstream = 'mdb' | 'udb' | 'presence';
export type TableName = 'machines' | 'rooms' | 'users' | 'presence';

export interface FollowedTables extends UsermapSource {
  readonly clients: {
    machines: SyncClient<Machine>;
    rooms: SyncClient<Room>;
    users: SyncClient<User>;
    presence: SyncClient<PresenceRecord>;
  };
  /** hostname → login, from presence. */
  sessions(): ReadonlyMap<string, string>;
  /** Each table received once or loaded from its state file (an empty table counts). */
  loaded(): Record<TableName, boolean>;
  start(): void;
  stop(): Promise<void>;
}

const OWNER: Record<TableName, Upstream> = {
  machines: 'mdb',
  rooms: 'mdb',
  users: 'udb',
  presence: 'presence',
};

/**
 * mdb's `machines` and `rooms`, udb's `users` and presence's `presence`, each followed with its
 * last good state in `<stateDir>/<table>.json` (served after a restart while upstream is down).
 * `onTable` runs after each applied batch, before the listeners of `onChange`.
 */
export function followTables(options: {
  upstreams: Record<Upstream, string>;
  stateDir: string;
  token: (upstream: Upstream) => string;
  logger: Logger;
  backoff?: SyncClientOptions<unknown>['backoff'];
  onTable: (table: TableName) => void;
}): FollowedTables {
  const listeners = new Set<() => void>();
  let machineList: Machine[] = [];
  let roomList: Room[] = [];
  let sessions = new Map<string, string>();
  const groups = new Map<string, Group>();
  const follow = <R>(table: TableName, index: (state: ReadonlyMap<string, R>) => void) =>
    createSyncClient<R>({
      baseUrl: options.upstreams[OWNER[table]],
      table,
      token: () => options.token(OWNER[table]),
      stateFile: join(options.stateDir, `${table}.json`),
      logger: options.logger,
      backoff: options.backoff,
      onUpdate: (state) => {
        index(state);
        options.logger.debug('table updated', { table, records: state.size });
        options.onTable(table);
        for (const listener of listeners) {
          try {
            listener();
          } catch (e) {
            options.logger.error('table listener failed', { table, error: String(e) });
          }
        }
      },
    });
  const clients = {
    machines: follow<Machine>('machines', (s) => {
      machineList = [...s.values()];
    }),
    rooms: follow<Room>('rooms', (s) => {
      roomList = [...s.values()];
    }),
    users: follow<User>('users', (s) => {
      groups.clear();
      for (const u of s.values()) groups.set(u.login, u.group);
    }),
    presence: follow<PresenceRecord>('presence', (s) => {
      sessions = new Map();
      for (const { login, hostname } of s.values()) sessions.set(hostname, login);
    }),
  };
  const loaded = () => {
    const one = (c: SyncClient<unknown>) =>
      c.state.size > 0 || c.status.lastEventAt !== null || c.revision > 0;
    return {
      machines: one(clients.machines),
      rooms: one(clients.rooms),
      users: one(clients.users),
      presence: one(clients.presence),
    };
  };
  return {
    clients,
    ready: () => Object.values(loaded()).every(Boolean),
    loaded,
    machines: () => machineList,
    rooms: () => roomList,
    sessions: () => sessions,
    groupOf: (login) => groups.get(login),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      for (const c of Object.values(clients)) c.start();
    },
    async stop() {
      await Promise.all(Object.values(clients).map((c) => c.stop()));
    },
  };
}
