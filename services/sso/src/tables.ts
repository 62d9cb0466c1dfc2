import type { Logger } from '@lanctl/core';
import type { Group, Machine, PresenceRecord, Room, User } from '@lanctl/model';
import {
  byOwner,
  type FollowedTables,
  followTables,
  type SyncClientOptions,
  type SyncStatus,
} from '@lanctl/sync';
import { sessionsByHost } from './ip-index.ts';
import type { UsermapSource } from './usermap/source.ts';

export type Upstream = 'mdb' | 'udb' | 'presence';
export type TableName = 'machines' | 'rooms' | 'users' | 'presence';
type Records = { machines: Machine; rooms: Room; users: User; presence: PresenceRecord };

export interface SsoTables extends UsermapSource {
  readonly clients: FollowedTables<Records>['clients'];
  /** hostname → login, from presence. */
  sessions(): ReadonlyMap<string, string>;
  /** Each table received once or loaded from its state file (an empty table counts). */
  loaded(): Record<TableName, boolean>;
  status(): Record<TableName, SyncStatus>;
  allConnected(): boolean;
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
export function followSsoTables(options: {
  upstreams: Record<Upstream, string>;
  stateDir: string;
  token: (upstream: Upstream) => string;
  logger: Logger;
  backoff?: SyncClientOptions<unknown>['backoff'];
  onTable: (table: TableName) => void;
}): SsoTables {
  const listeners = new Set<() => void>();
  let machineList: Machine[] = [];
  let roomList: Room[] = [];
  let sessions = new Map<string, string>();
  let groups = new Map<string, Group>();
  const tables = followTables<Records>({
    tables: byOwner(OWNER, options.upstreams, options.token),
    stateDir: options.stateDir,
    logger: options.logger,
    backoff: options.backoff,
    onUpdate: (table, state) => {
      if (table === 'machines') machineList = [...state.values()];
      else if (table === 'rooms') roomList = [...state.values()];
      else if (table === 'users')
        groups = new Map([...state.values()].map((u) => [u.login, u.group]));
      else sessions = sessionsByHost(state.values());
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
  return {
    clients: tables.clients,
    ready: () => tables.allReceived(),
    loaded: () =>
      Object.fromEntries(tables.names.map((t) => [t, tables.received(t)])) as Record<
        TableName,
        boolean
      >,
    status: tables.status,
    allConnected: tables.allConnected,
    machines: () => machineList,
    rooms: () => roomList,
    sessions: () => sessions,
    groupOf: (login) => groups.get(login),
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start: tables.start,
    stop: tables.stop,
  };
}
