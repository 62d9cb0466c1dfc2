import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { GeneratorService, GeneratorStatus } from '@lanctl/core';
import { createStreamWriter, requireStreamWriterDeps, type StreamWriterDeps } from '@lanctl/sync';
import type { RootsshConfig } from './config.ts';
import type { UdbUser } from './render.ts';
import { type ApplyOutcome, createWriter } from './writer.ts';

export { DEFAULT_ROOTSSH_PORT, type RootsshConfig, rootsshConfigSchema } from './config.ts';
export { BEGIN, END, type RenderedKeys, type UdbUser } from './render.ts';
export type { ApplyOutcome } from './writer.ts';

export interface RootsshDeps extends StreamWriterDeps<UdbUser> {
  now?: () => Date;
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
  requireStreamWriterDeps('rootssh', deps);
  const dir = join(config.root, 'root');
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`rootssh: root: ${dir} is not a directory`);
  }
  const now = deps.now ?? (() => new Date());
  const writer = createWriter(config, { logger: deps.logger, metrics: deps.metrics, now });
  return createStreamWriter<UdbUser, ApplyOutcome>({
    service: 'rootssh',
    table: 'users',
    watch: WATCHED,
    config,
    deps,
    apply: writer.apply,
    describe: { path: writer.path },
  });
}
