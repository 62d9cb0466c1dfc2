/**
 * A subscriber that was offline resumes from its state file: after thousands of changes it is
 * sent exactly the changes it missed (no snapshot), and after the change log was compacted past
 * its revision it is sent a snapshot flagged `reset`; either way it ends equal to the server.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLogger, createMetricsRegistry, validateConfig } from '@lanctl/core';
import { compactChangeLog, oldestRevision } from '@lanctl/sync';
import { ENGINES, type TempDir, tempDir, waitFor } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { create, type MdbService, mdbConfigSchema } from '../../services/mdb/src/index.ts';
import { type MdbHarness, startMdb } from '../../services/mdb/src/testing/harness.ts';
import { connectionProblems, type Subscriber, startSubscriber } from './subscriber.ts';
import {
  freshSnapshot,
  listMachines,
  machineRevisions,
  recordsDigest,
  stateDigest,
} from './support.ts';
import { runWriter, storeExecutor } from './writer.ts';

/** Changes made while the subscribers are offline. */
const MISSED = 5_000;
/** Change-log entries compaction keeps: far fewer than MISSED. */
const KEEP = 1_000;

// The engines share nothing: both run side by side (one's waits overlap the other's work).
describe.concurrent.each(ENGINES)('a subscriber resuming on %s', (engine) => {
  let mdb: MdbHarness;
  let dir: TempDir;
  const subscribers: Subscriber[] = [];
  let second: MdbService | undefined;
  const stateA = () => join(dir.path, 'a.state.json');
  const stateC = () => join(dir.path, 'c.state.json');
  /** Revision at which the subscribers went offline. */
  let offlineAt = 0;

  const subscribe = (baseUrl: string, stateFile: string) => {
    const s = startSubscriber({ baseUrl, token: mdb.token('reader'), stateFile });
    subscribers.push(s);
    return s;
  };
  /** Waits until `s` holds every machine change of the database. */
  const caughtUp = async (s: Subscriber) => {
    const revisions = await machineRevisions(mdb.service.database);
    const head = revisions[revisions.length - 1] ?? 0;
    await waitFor(() => s.client.revision >= head, `a subscriber at revision ${head}`, 20_000);
    return revisions;
  };
  const expectEqualToServer = async (s: Subscriber, syncUrl: string) => {
    const truth = await freshSnapshot(syncUrl, mdb.token('reader'));
    const listed = await listMachines(mdb.url, mdb.token('reader'));
    expect(recordsDigest(truth.state.values())).toBe(recordsDigest(listed));
    expect(s.client.state.size).toBe(truth.state.size);
    expect(stateDigest(s.client.state)).toBe(stateDigest(truth.state));
  };

  beforeAll(async () => {
    dir = await tempDir('lanctl-sync-resume-');
    mdb = await startMdb(engine);
    const written = await runWriter({
      target: 150,
      workers: 4,
      deadline: Date.now() + 30_000,
      execute: storeExecutor(mdb.service.store),
      seed: 11,
      slots: 10,
    });
    expect(written.refused).toEqual([]);
    // Two subscribers see that, then go offline with their state files written.
    const a = subscribe(mdb.service.syncUrl!, stateA());
    const c = subscribe(mdb.service.syncUrl!, stateC());
    await caughtUp(a);
    await caughtUp(c);
    await a.client.stop();
    await c.client.stop();
    expect(a.client.revision).toBe(c.client.revision);
    offlineAt = a.client.revision;
    const missed = await runWriter({
      target: MISSED,
      workers: 8,
      deadline: Date.now() + 60_000,
      execute: storeExecutor(mdb.service.store),
      seed: 12,
      namespace: 1,
    });
    expect(missed.refused).toEqual([]);
    expect(missed.acked).toBe(MISSED);
    console.info(`sync resume ${engine}: ${MISSED} changes offline in ${missed.elapsedMs} ms`);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(subscribers.map((s) => s.client.stop()));
    await second?.stop();
    await mdb?.close();
    await dir?.cleanup();
  });

  it.sequential(`is sent only the ${MISSED} changes it missed, no snapshot`, async () => {
    const back = subscribe(mdb.service.syncUrl!, stateA());
    const revisions = await caughtUp(back);
    // The state file's load is the first update (a snapshot by nature), then only changes.
    expect(back.updates[0]).toEqual({ revision: offlineAt, snapshot: true, reset: false });
    expect(back.updates.slice(1).filter((u) => u.snapshot || u.reset)).toEqual([]);
    expect(back.connections[0]?.resume).toBe(offlineAt);
    const received = back.connections.flatMap((c) => c.events);
    expect(received.filter((e) => e.type !== 'change')).toEqual([]);
    expect(received).toHaveLength(revisions.filter((r) => r > offlineAt).length);
    expect(connectionProblems(back.connections, revisions)).toEqual([]);
    expect(back.problems).toEqual([]);
    await expectEqualToServer(back, mdb.service.syncUrl!);
  });

  it.sequential('is sent a reset snapshot once the change log no longer reaches back to it', async () => {
    const dropped = await compactChangeLog(mdb.service.database.db, KEEP);
    expect(dropped).toBeGreaterThan(MISSED - KEEP);
    expect(await oldestRevision(mdb.service.database.db)).toBeGreaterThan(offlineAt + 1);

    // The running server still remembers every change since its start (its in-memory ring),
    // so even now a resume is served as changes, not as a reset.
    copyFileSync(stateC(), join(dir.path, 'c2.state.json'));
    const early = subscribe(mdb.service.syncUrl!, join(dir.path, 'c2.state.json'));
    await caughtUp(early);
    expect(early.updates.filter((u) => u.reset)).toEqual([]);
    await expectEqualToServer(early, mdb.service.syncUrl!);

    // A server started since (a restart, another replica) has only the log to replay from.
    second = create(
      validateConfig('test', mdbConfigSchema, {
        listen: { port: 0 },
        sync: { port: 0 },
        database: { url: mdb.service.database.url, pool_size: 2 },
        auth: { public_key_file: mdb.keys.files.publicKeyFile },
      }),
      {
        logger: createLogger('mdb', { silent: true }),
        metrics: createMetricsRegistry(),
        publicKey: mdb.keys.publicKey,
      },
    );
    await second.start();
    const late = subscribe(second.syncUrl!, stateC());
    const revisions = await caughtUp(late);
    expect(late.updates[0]).toEqual({ revision: offlineAt, snapshot: true, reset: false });
    expect(late.updates.slice(1).map((u) => [u.snapshot, u.reset])).toEqual([[true, true]]);
    expect(late.connections[0]?.resume).toBe(offlineAt);
    expect(late.connections[0]?.events[0]?.type).toBe('snapshot');
    expect(connectionProblems(late.connections, revisions)).toEqual([]);
    expect(late.problems).toEqual([]);
    await expectEqualToServer(late, second.syncUrl!);
  });
});
