import { readSecretFile } from '@lanctl/auth';
import type { Logger, Registry } from '@lanctl/core';
import type { PresenceRecord } from '@lanctl/model';
import { createStreamServer, Hub, STREAM_ACCESS, sadmPollRouter } from '@lanctl/sync';
import type { Change } from './state.ts';

/**
 * The `presence` table's hub, from memory, served as the native SSE stream and SADM's
 * presencesync `/poll`. Nothing is kept across restarts, so each start opens a new history whose
 * revisions begin at the start time in ms (more changes than milliseconds between two runs would
 * be needed to overlap): a subscriber resuming from a revision of an earlier
 * run is below the new floor (or, after a clock step back, above the head) and gets a reset
 * snapshot, never the new run's changes applied on top of the old run's table.
 */
export function createPresenceStreams(options: {
  logger: Logger;
  metrics: Registry;
  subSecretFile: string | null;
}) {
  const { logger, metrics } = options;
  const hub = new Hub({ tables: ['presence'], logger });
  let revision = 0;
  const streams = createStreamServer({
    hub,
    access: STREAM_ACCESS,
    logger,
    metrics,
    service: 'presence',
  });
  const poll = sadmPollRouter({
    hub,
    tables: [
      {
        table: 'presence',
        key: (r: PresenceRecord) => r.login,
        toSadm: (r: PresenceRecord) => ({ login: r.login, hostname: r.hostname }),
      },
    ],
    subSecret: options.subSecretFile ? readSecretFile(options.subSecretFile) : null,
    logger,
    metrics,
    service: 'presence',
  });
  return {
    streams,
    poll,
    /** Empties the table and opens a new history (start). */
    reset() {
      revision = Math.max(revision + 1, Date.now());
      hub.reset(revision, { presence: [] });
    },
    /** One batch; SADM puts the deletes before the update of the same message. */
    publish(changes: Change[]) {
      if (changes.length === 0) return;
      const ordered = [
        ...changes.filter((c) => c.op === 'delete'),
        ...changes.filter((c) => c.op !== 'delete'),
      ];
      hub.apply(
        ordered.map((c) => ({
          revision: ++revision,
          table: 'presence',
          id: c.login,
          op: c.op,
          record: { login: c.login, hostname: c.hostname } satisfies PresenceRecord,
        })),
      );
      for (const c of ordered)
        logger.info(`presence ${c.op}`, { login: c.login, hostname: c.hostname });
    },
    closeAll() {
      streams.closeAll();
      poll.closeAll();
    },
  };
}
