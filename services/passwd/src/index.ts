import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { GeneratorService, GeneratorStatus } from '@lanctl/core';
import { createStreamWriter, requireStreamWriterDeps, type StreamWriterDeps } from '@lanctl/sync';
import type { PasswdConfig } from './config.ts';
import type { UdbUser } from './render.ts';
import { type ApplyOutcome, createWriter } from './writer.ts';

export { DEFAULT_PASSWD_PORT, type PasswdConfig, passwdConfigSchema } from './config.ts';
export type { AccountFiles, Rendered, UdbUser } from './render.ts';
export type { ApplyOutcome } from './writer.ts';

export interface PasswdDeps extends StreamWriterDeps<UdbUser> {
  now?: () => Date;
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
  requireStreamWriterDeps('passwd', deps);
  const dir = join(config.root, 'etc');
  if (!statSync(dir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`passwd: root: ${dir} is not a directory`);
  }
  const now = deps.now ?? (() => new Date());
  const writer = createWriter(config, { logger: deps.logger, metrics: deps.metrics, now });
  return createStreamWriter<UdbUser, ApplyOutcome>({
    service: 'passwd',
    table: 'users',
    watch: WATCHED,
    config,
    deps,
    apply: writer.apply,
    describe: { root: config.root },
  });
}
