import { join } from 'node:path';
import { Counter, Gauge, type Logger, type Registry } from '@lanctl/core';
import type { PasswdConfig } from './config.ts';
import { LOCK_ORDER, readAccountFiles, writeAccountFiles } from './files.ts';
import { LockBusyError, lockAll } from './lock.ts';
import { ConsistencyError, ParseError, type Rendered, render, type UdbUser } from './render.ts';

export type ApplyResult = 'written' | 'unchanged' | 'refused' | 'busy' | 'failed';

export interface ApplyOutcome {
  result: ApplyResult;
  /** Why it was refused or failed. */
  reason?: string;
  written?: string[];
}

export interface Writer {
  /** Locks, reads, renders and writes the root's account files from these users. */
  apply(users: UdbUser[]): Promise<ApplyOutcome>;
}

const LOCK_TRIES = 10;
const LOCK_WAIT_MS = 100;

/** The I/O around the pure render: locks, reads, refusals, writes, their logs and metrics. */
export function createWriter(
  config: PasswdConfig,
  deps: { logger: Logger; metrics: Registry; now: () => Date },
): Writer {
  const { logger } = deps;
  const etc = join(config.root, 'etc');
  const m = writerMetrics(deps.metrics);
  let lastWarnings = '';

  const refuse = (reason: 'unparsable' | 'inconsistent' | 'no_hashes', detail: string) => {
    m.refusals.inc({ reason });
    logger.error(`not writing ${etc}: ${detail}`, { reason, root: config.root });
    return { result: 'refused', reason: detail } as const;
  };

  async function renderAndWrite(users: UdbUser[]): Promise<ApplyOutcome> {
    if (users.length > 0 && users.every((u) => u.password_hash === undefined)) {
      return refuse(
        'no_hashes',
        'no user of the stream has a password_hash: the token lacks the users:hashes scope',
      );
    }
    let rendered: Rendered;
    try {
      const current = await readAccountFiles(etc);
      rendered = render(current, users, {
        managedUids: config.managed_uids,
        now: deps.now(),
      });
    } catch (e) {
      if (e instanceof ParseError) return refuse('unparsable', e.message);
      if (e instanceof ConsistencyError) return refuse('inconsistent', e.message);
      throw e;
    }
    const warnings = [
      ...rendered.skipped.map((s) => `user ${s.login} left out: ${s.reason}`),
      ...rendered.notes,
    ];
    // Once per change, not at every re-render of the same users.
    if (warnings.join('\n') !== lastWarnings) for (const w of warnings) logger.warn(w);
    lastWarnings = warnings.join('\n');
    const written = await writeAccountFiles(etc, rendered);
    for (const file of written) m.writes.inc({ file });
    m.users.set(users.length - rendered.skipped.length);
    m.skipped.set(rendered.skipped.length);
    if (written.length > 0) logger.info(`wrote ${written.join(', ')}`, { root: config.root });
    return { result: written.length > 0 ? 'written' : 'unchanged', written };
  }

  return {
    async apply(users) {
      let outcome: ApplyOutcome;
      try {
        const release = await lockWithRetry(LOCK_ORDER.map((f) => join(etc, f)));
        try {
          outcome = await renderAndWrite(users);
        } finally {
          await release();
        }
      } catch (e) {
        const reason = e instanceof Error ? e.message : String(e);
        const busy = e instanceof LockBusyError;
        logger[busy ? 'warn' : 'error'](`cannot write ${etc}: ${reason}`, { root: config.root });
        outcome = { result: busy ? 'busy' : 'failed', reason };
      }
      m.applies.inc({ result: outcome.result });
      if (outcome.result === 'written' || outcome.result === 'unchanged') {
        m.lastApplied.set(deps.now().getTime() / 1000);
      }
      return outcome;
    },
  };
}

async function lockWithRetry(paths: string[]): Promise<() => Promise<void>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await lockAll(paths);
    } catch (e) {
      if (!(e instanceof LockBusyError) || attempt >= LOCK_TRIES) throw e;
      await new Promise((r) => setTimeout(r, LOCK_WAIT_MS));
    }
  }
}

function writerMetrics(registers: Registry) {
  const r = [registers];
  return {
    applies: new Counter({
      name: 'lanctl_passwd_applies_total',
      help: 'Renders of the account files, by result (written, unchanged, refused, busy, failed)',
      labelNames: ['result'],
      registers: r,
    }),
    refusals: new Counter({
      name: 'lanctl_passwd_refusals_total',
      help: 'Renders refused without writing, by reason (unparsable, inconsistent, no_hashes)',
      labelNames: ['reason'],
      registers: r,
    }),
    writes: new Counter({
      name: 'lanctl_passwd_file_writes_total',
      help: 'Account files replaced, by file',
      labelNames: ['file'],
      registers: r,
    }),
    users: new Gauge({
      name: 'lanctl_passwd_managed_users',
      help: 'Users of the stream in the files after the last render',
      registers: r,
    }),
    skipped: new Gauge({
      name: 'lanctl_passwd_skipped_users',
      help: 'Users of the stream left out of the files at the last render (see the logs)',
      registers: r,
    }),
    lastApplied: new Gauge({
      name: 'lanctl_passwd_last_apply_timestamp_seconds',
      help: 'When the files last matched the stream (written or already right), Unix time',
      registers: r,
    }),
  };
}
