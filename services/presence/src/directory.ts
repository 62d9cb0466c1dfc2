import type { Logger } from '@lanctl/core';
import type { Group, Machine, User } from '@lanctl/model';
import { type FollowedTables, followTables } from '@lanctl/sync';
import type { Directory } from './state.ts';

export interface FollowedDirectory extends Directory {
  tables: FollowedTables<{ machines: Machine; users: User }>;
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
  let machineTypes = new Map<string, string>();
  let groups = new Map<string, Group>();
  const tables = followTables<{ machines: Machine; users: User }>({
    tables: {
      machines: { upstream: options.mdbUpstream, token: () => options.token('mdb') },
      users: { upstream: options.udbUpstream, token: () => options.token('udb') },
    },
    stateDir: options.stateDir,
    logger: options.logger,
    onUpdate: (table, state) => {
      if (table === 'machines')
        machineTypes = new Map([...state.values()].map((m) => [m.hostname, m.mtype]));
      else groups = new Map([...state.values()].map((u) => [u.login, u.group]));
    },
  });
  return {
    tables,
    machineType: (h) => machineTypes.get(h),
    userGroup: (l) => groups.get(l),
    start: () => tables.start(),
    stop: () => tables.stop(),
    ready: () => tables.ready(),
  };
}
