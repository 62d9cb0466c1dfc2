import { statSync } from 'node:fs';
import { join } from 'node:path';
import {
  createGeneratorService,
  type GeneratorService,
  type GeneratorStatus,
  type Logger,
  type Registry,
} from '@lanctl/core';
import { recordSubscription, type SyncClientOptions } from '@lanctl/sync';
import type { PasswdConfig } from './config.ts';
import type { UdbUser } from './render.ts';
import { type ApplyOutcome, createWriter } from './writer.ts';

export { DEFAULT_PASSWD_PORT, type PasswdConfig, passwdConfigSchema } from './config.ts';
export type { AccountFiles, Rendered, UdbUser } from './render.ts';
export type { ApplyOutcome } from './writer.ts';

export interface PasswdDeps {
  logger: Logger;
  metrics: Registry;
  /** The bearer token for udb's stream, called at every connection (main reads `token_file`). */
  token: () => string;
  now?: () => Date;
  /** Reconnection back-off of the stream (tests shorten it). */
  backoff?: SyncClientOptions<UdbUser>['backoff'];
}

/** /healthz and /metrics, start, stop, and what /healthz says. */
export type PasswdService = GeneratorService;
export type PasswdStatus = GeneratorStatus;

/** The fields that make a user's passwd, shadow or group lines (not ssh_keys, not timestamps). */
const WATCHED: (keyof UdbUser)[] = [
  'login',
  'firstname',
  'lastname',
  'uid',
  'group',
  'shell',
  'password_hash',
];

/**
 * The passwd writer (SADM's udbsync_passwd): follows udb's `users` stream and keeps
 * `<root>/etc/{passwd,shadow,group,gshadow}` in step. Binds nothing until `start()`.
 */
export function create(config: PasswdConfig, deps: PasswdDeps): PasswdService {
  if (!deps.logger || !deps.metrics) {
    throw new Error('passwd: deps.logger and deps.metrics are required');
  }
  if (typeof deps.token !== 'function') throw new Error('passwd: deps.token must be a function');
  const etc = join(config.root, 'etc');
  if (!statSync(etc, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`passwd: root: ${etc} is not a directory`);
  }
  const now = deps.now ?? (() => new Date());
  const writer = createWriter(config, { logger: deps.logger, metrics: deps.metrics, now });
  return createGeneratorService<UdbUser, ApplyOutcome>({
    service: 'passwd',
    logger: deps.logger,
    metrics: deps.metrics,
    listen: config.listen,
    render: writer.apply,
    succeeded: (o) => o.result === 'written' || o.result === 'unchanged',
    reapplyMs: config.reapply_seconds * 1000,
    describe: { upstream: config.upstream, root: config.root },
    subscribe: recordSubscription<UdbUser>({
      baseUrl: config.upstream,
      table: 'users',
      token: deps.token,
      stateFile: config.state_file,
      watch: WATCHED,
      logger: deps.logger,
      backoff: deps.backoff,
    }),
  });
}
