import { join } from 'node:path';
import type { Logger } from '@lanctl/core';
import { createSyncClient, type SyncClient, type SyncStatus } from './client.ts';
import type { BackoffConfig } from './client-state.ts';

/** Where one followed table comes from: its owner's sync port and the bearer token for it. */
export interface TableSource {
  /** Origin of the owner's (or relay's) sync port, e.g. `http://mdb:20010`. */
  upstream: string;
  /** Read at every connection attempt (token files get rotated). */
  token: () => string;
}

/** `table → record type` of the followed tables, e.g. `{ machines: Machine; users: User }`. */
export type TableRecords = Record<string, unknown>;
type Name<T> = keyof T & string;

/** `(table, state)` with the state typed by the table: narrowing `table` narrows `state`. */
export type TableUpdate<T extends TableRecords> = {
  [K in Name<T>]: [table: K, state: ReadonlyMap<string, T[K]>];
}[Name<T>];

export interface FollowTablesOptions<T extends TableRecords> {
  tables: { [K in Name<T>]: TableSource };
  /** Each table's last good state is kept in `<stateDir>/<table>.json`. */
  stateDir: string;
  logger: Logger;
  backoff?: Partial<BackoffConfig>;
  /**
   * After each applied batch of a table (the state loaded from its state file included), once
   * `received(table)` is true. Awaited before that table's next batch; a throw is logged.
   */
  onUpdate?: (...update: TableUpdate<T>) => void | Promise<void>;
}

export interface FollowedTables<T extends TableRecords> {
  readonly clients: { readonly [K in Name<T>]: SyncClient<T[K]> };
  /** The table names, in the order of `options.tables`. */
  readonly names: readonly Name<T>[];
  state<K extends Name<T>>(table: K): ReadonlyMap<string, T[K]>;
  /** A batch of this table was applied once: from its stream or from its state file. */
  received(table: Name<T>): boolean;
  /** Tables never received nor loaded from a state file, in `names` order. */
  waitingFor(): Name<T>[];
  allReceived(): boolean;
  allConnected(): boolean;
  status(): Record<Name<T>, SyncStatus>;
  /** Resolves once every table has a state (rejects if stopped before). */
  ready(): Promise<void>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * Several tables' streams, each with a resuming `createSyncClient` and its state file, with one
 * meaning of "received" for every consumer: the first applied batch, from upstream or from the
 * state file (so a consumer restarted while upstream is down works from its last good tables).
 */
export function followTables<T extends TableRecords>(
  options: FollowTablesOptions<T>,
): FollowedTables<T> {
  const { logger } = options;
  const names = Object.keys(options.tables) as Name<T>[];
  if (names.length === 0) throw new TypeError('followTables: tables must name at least one table');
  const received = new Set<Name<T>>();
  const waitingFor = () => names.filter((t) => !received.has(t));
  const follow = <K extends Name<T>>(table: K): SyncClient<T[K]> => {
    const source = options.tables[table];
    if (typeof source?.token !== 'function')
      throw new TypeError(`followTables: tables.${table}.token must be a function`);
    return createSyncClient<T[K]>({
      baseUrl: source.upstream,
      table,
      token: source.token,
      stateFile: join(options.stateDir, `${table}.json`),
      logger,
      backoff: options.backoff,
      onUpdate: async (state) => {
        if (!received.has(table)) {
          received.add(table);
          logger.info(`table ${table} received`, {
            table,
            records: state.size,
            waiting_for: waitingFor(),
          });
        } else logger.debug('table updated', { table, records: state.size });
        await options.onUpdate?.(...([table, state] as TableUpdate<T>));
      },
    });
  };
  const clients = Object.fromEntries(names.map((t) => [t, follow(t)])) as {
    [K in Name<T>]: SyncClient<T[K]>;
  };
  const all = () => names.map((t) => clients[t] as SyncClient<unknown>);
  return {
    clients,
    names,
    state: (table) => clients[table].state,
    received: (table) => received.has(table),
    waitingFor,
    allReceived: () => received.size === names.length,
    allConnected: () => all().every((c) => c.connected),
    status: () =>
      Object.fromEntries(names.map((t) => [t, clients[t].status])) as Record<Name<T>, SyncStatus>,
    async ready() {
      await Promise.all(all().map((c) => c.ready()));
    },
    start() {
      for (const c of all()) c.start();
    },
    async stop() {
      await Promise.all(all().map((c) => c.stop()));
    },
  };
}

/**
 * The sources of tables served by several owners from one token per owner, e.g.
 * `byOwner({ machines: 'mdb', users: 'udb' }, { mdb: url, udb: url }, tokenOf)`.
 */
export function byOwner<K extends string, O extends string>(
  owners: Record<K, O>,
  upstreams: Record<O, string>,
  token: (owner: O) => string,
): Record<K, TableSource> {
  const entries = (Object.entries(owners) as [K, O][]).map(
    ([table, owner]) => [table, { upstream: upstreams[owner], token: () => token(owner) }] as const,
  );
  return Object.fromEntries(entries) as Record<K, TableSource>;
}
