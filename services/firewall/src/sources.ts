import type { Logger } from '@lanctl/core';
import type { Machine, PresenceRecord, SettingRecord, User } from '@lanctl/model';
import { byOwner, type FollowedTables, followTables } from '@lanctl/sync';
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

/**
 * The followed tables; `waitingFor()` names those never received (nor loaded from a state
 * file): nothing is applied while any is.
 */
export type Sources = FollowedTables<Records>;
type Records = {
  machines: Machine;
  settings: SettingRecord;
  users: User;
  presence: PresenceRecord;
};

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
  return followTables<Records>({
    tables: byOwner(OWNER, options.urls, options.token),
    stateDir: options.stateDir,
    logger: options.logger,
    backoff: options.backoff,
    onUpdate: options.onChange,
  });
}
