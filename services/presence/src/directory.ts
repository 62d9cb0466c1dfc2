import { join } from 'node:path';
import type { Logger } from '@lanctl/core';
import type { Group, Machine, User } from '@lanctl/model';
import { createSyncClient, type SyncClient } from '@lanctl/sync';
import type { Directory } from './state.ts';

export interface FollowedDirectory extends Directory {
  machines: SyncClient<Machine>;
  users: SyncClient<User>;
  start(): void;
  stop(): Promise<void>;
  ready(): Promise<void>;
}

/** mdb's `machines` and udb's `users`, followed, indexed by hostname and login. */
export function followDirectory(options: {
  mdbUpstream: string;
  udbUpstream: string;
  stateDir: string;
  token: (upstream: 'mdb' | 'udb') => string;
  logger: Logger;
}): FollowedDirectory {
  const machineTypes = new Map<string, string>();
  const groups = new Map<string, Group>();
  const follow = <R>(
    table: string,
    owner: 'mdb' | 'udb',
    baseUrl: string,
    index: (state: ReadonlyMap<string, R>) => void,
  ) =>
    createSyncClient<R>({
      baseUrl,
      table,
      token: () => options.token(owner),
      stateFile: join(options.stateDir, `${table}.json`),
      logger: options.logger,
      onUpdate: (state) => {
        index(state);
        options.logger.info('table updated', { table, records: state.size });
      },
    });
  const machines = follow<Machine>('machines', 'mdb', options.mdbUpstream, (state) => {
    machineTypes.clear();
    for (const m of state.values()) machineTypes.set(m.hostname, m.mtype);
  });
  const users = follow<User>('users', 'udb', options.udbUpstream, (state) => {
    groups.clear();
    for (const u of state.values()) groups.set(u.login, u.group);
  });
  return {
    machines,
    users,
    machineType: (h) => machineTypes.get(h),
    userGroup: (l) => groups.get(l),
    start() {
      machines.start();
      users.start();
    },
    async stop() {
      await Promise.all([machines.stop(), users.stop()]);
    },
    async ready() {
      await Promise.all([machines.ready(), users.ready()]);
    },
  };
}
