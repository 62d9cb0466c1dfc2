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
import type { RootsshConfig } from './config.ts';
import type { UdbUser } from './render.ts';
import { type ApplyOutcome, createWriter } from './writer.ts';

export { DEFAULT_ROOTSSH_PORT, type RootsshConfig, rootsshConfigSchema } from './config.ts';
export { BEGIN, END, type RenderedKeys, type UdbUser } from './render.ts';
export type { ApplyOutcome } from './writer.ts';

export interface RootsshDeps {
  logger: Logger;
  metrics: Registry;
  /** The bearer token for udb's stream, called at every connection (main reads `token_file`). */
  token: () => string;
  now?: () => Date;
  /** Reconnection back-off of the stream (tests shorten it). */
  backoff?: SyncClientOptions<UdbUser>['backoff'];
}

/** /healthz and /metrics, start, stop, and what /healthz says. */
export type RootsshService = GeneratorService;
export type RootsshStatus = GeneratorStatus;

/** The fields that make the block (SADM's `watch`): a new password or name is no news here. */
const WATCHED: (keyof UdbUser)[] = ['ssh_keys', 'group'];

/**
 * The root SSH keys writer (SADM's udbsync_rootssh): follows udb's `users` stream and keeps the
 * managed block of `<root>/root/.ssh/authorized_keys` in step. Binds nothing until `start()`.
 */
export function create(config: RootsshConfig, deps: RootsshDeps): RootsshService {
  if (!deps.logger || !deps.metrics) {
    throw new Error('rootssh: deps.logger and deps.metrics are required');
  }
  if (typeof deps.token !== 'function') throw new Error('rootssh: deps.token must be a function');
  const home = join(config.root, 'root');
  if (!statSync(home, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`rootssh: root: ${home} is not a directory`);
  }
  const now = deps.now ?? (() => new Date());
  const writer = createWriter(config, { logger: deps.logger, metrics: deps.metrics, now });
  return createGeneratorService<UdbUser, ApplyOutcome>({
    service: 'rootssh',
    logger: deps.logger,
    metrics: deps.metrics,
    listen: config.listen,
    render: writer.apply,
    succeeded: (o) => o.result === 'written' || o.result === 'unchanged',
    reapplyMs: config.reapply_seconds * 1000,
    describe: { upstream: config.upstream, path: writer.path },
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
