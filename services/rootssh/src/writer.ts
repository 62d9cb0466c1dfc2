import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { applyFile, Counter, Gauge, type Logger, type Registry } from '@lanctl/core';
import type { RootsshConfig } from './config.ts';
import { ParseError, render, type UdbUser } from './render.ts';

export type ApplyResult = 'written' | 'unchanged' | 'refused' | 'failed';

export interface ApplyOutcome {
  result: ApplyResult;
  reason?: string;
}

export interface Writer {
  /** `<root>/root/.ssh/authorized_keys` from these users. */
  apply(users: UdbUser[]): Promise<ApplyOutcome>;
  readonly path: string;
}

/** The I/O around the pure render: the .ssh directory, the file, their logs and metrics. */
export function createWriter(
  config: RootsshConfig,
  deps: { logger: Logger; metrics: Registry; now: () => Date },
): Writer {
  const { logger } = deps;
  const dir = join(config.root, 'root', '.ssh');
  const path = join(dir, 'authorized_keys');
  const m = writerMetrics(deps.metrics);
  let lastWarnings = '';

  async function renderAndWrite(users: UdbUser[]): Promise<ApplyOutcome> {
    await ensureDirectory(dir, logger);
    const current = await readFile(path, 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw e;
    });
    let rendered: ReturnType<typeof render>;
    try {
      rendered = render(current, users, path);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      m.refusals.inc({ reason: 'unparsable' });
      logger.error(`not writing ${path}: ${e.message}`, { reason: 'unparsable' });
      return { result: 'refused', reason: e.message };
    }
    const warnings = rendered.skipped.map((s) => `a key of ${s.login} left out: ${s.reason}`);
    // Once per change, not at every re-render of the same users.
    if (warnings.join('\n') !== lastWarnings) for (const w of warnings) logger.warn(w);
    lastWarnings = warnings.join('\n');
    m.keys.set(rendered.keys);
    const result = await applyFile({ path, content: rendered.content, mode: 0o600 });
    if (result === 'written') logger.info(`wrote ${path}`, { keys: rendered.keys });
    return { result };
  }

  return {
    path,
    async apply(users) {
      let outcome: ApplyOutcome;
      try {
        outcome = await renderAndWrite(users);
      } catch (e) {
        const reason = e instanceof Error ? e.message : String(e);
        logger.error(`cannot write ${path}: ${reason}`);
        outcome = { result: 'failed', reason };
      }
      m.applies.inc({ result: outcome.result });
      if (outcome.result === 'written' || outcome.result === 'unchanged') {
        m.lastApplied.set(deps.now().getTime() / 1000);
      }
      return outcome;
    },
  };
}

/** `root/.ssh` exists with mode 0700 (sshd's StrictModes refuses a group- or world-writable one). */
async function ensureDirectory(dir: string, logger: Logger): Promise<void> {
  const st = await stat(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw e;
  });
  if (st && !st.isDirectory()) throw new Error(`${dir} is not a directory`);
  if (!st) await mkdir(dir, { mode: 0o700 });
  if (!st || (st.mode & 0o7777) !== 0o700) {
    await chmod(dir, 0o700);
    if (st) logger.warn(`${dir} had mode ${(st.mode & 0o7777).toString(8)}, set to 0700`);
  }
}

function writerMetrics(registers: Registry) {
  const r = [registers];
  return {
    applies: new Counter({
      name: 'lanctl_rootssh_applies_total',
      help: 'Renders of authorized_keys, by result (written, unchanged, refused, failed)',
      labelNames: ['result'],
      registers: r,
    }),
    refusals: new Counter({
      name: 'lanctl_rootssh_refusals_total',
      help: 'Renders refused without writing, by reason (unparsable: markers missing or repeated)',
      labelNames: ['reason'],
      registers: r,
    }),
    keys: new Gauge({
      name: 'lanctl_rootssh_keys',
      help: 'Keys in the managed block after the last render',
      registers: r,
    }),
    lastApplied: new Gauge({
      name: 'lanctl_rootssh_last_apply_timestamp_seconds',
      help: 'When the file last matched the stream (written or already right), Unix time',
      registers: r,
    }),
  };
}
