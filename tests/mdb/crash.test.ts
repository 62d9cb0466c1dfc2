/**
 * `kill -9` of `lanctl serve mdb` in the middle of a stream of writes: every creation that was
 * acknowledged survives with the address and MAC it was acknowledged with, and whatever the
 * unanswered requests left behind is whole (change log, names and allocation all agree).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../packages/db/src/index.ts';
import { ENGINES, freshDatabaseUrl, tempDir } from '../../packages/testkit/src/index.ts';
import { inspect } from './consistency.ts';
import {
  byIp,
  call,
  killAllMdb,
  lowestHosts,
  macFor,
  makeKeys,
  spawnMdb,
  until,
} from './support.ts';

const WRITERS = 8;
/** SIGKILL once this many creations were acknowledged. */
const KILL_AFTER = 150;
/** Bounds of the writer loop: it never sends more than this, nor runs longer. */
const MAX_ATTEMPTS = 240;
const DEADLINE_MS = 30_000;
const MAX_LOOKS = 500;
const USER_POOL = '192.168.0.0/24'; // default type `orga` draws from `user`

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await killAllMdb();
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const hostname = (i: number) => `k${i}`;
const machine = (i: number) => ({
  hostname: hostname(i),
  mac: macFor(4, i),
  aliases: i % 3 === 0 ? [`k${i}-a`, `k${i}-b`] : [],
});

// The engines share nothing, so both run side by side.
describe.concurrent.each(ENGINES)('mdb killed with SIGKILL during writes on %s', (engine) => {
  it(`keeps all of ${KILL_AFTER}+ acknowledged creations and stays consistent`, async () => {
    const dir = await tempDir('lanctl-mdb-crash-');
    cleanups.push(dir.cleanup);
    const fresh = await freshDatabaseUrl(engine);
    cleanups.push(fresh.cleanup);
    const keys = makeKeys(dir.path);
    const options = {
      dir: dir.path,
      databaseUrl: fresh.url,
      publicKeyFile: keys.publicKeyFile,
    };
    const first = await spawnMdb({ ...options, name: 'before' });

    // Watches commits from outside, to kill in the window between a commit and its answer.
    const watch = openDatabase(fresh.url, { poolSize: 1 });
    cleanups.push(() => watch.close());
    const committed = async () =>
      Number(
        (
          await watch.db
            .selectFrom('machines')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    const acked = new Map<string, { ip: string; mac: string }>();
    const refused: string[] = [];
    let next = 0;
    let inFlight = 0;
    let killed: { inFlight: number } | undefined;
    const kill = () => {
      if (killed) return;
      killed = { inFlight };
      first.child.kill('SIGKILL');
    };
    const deadline = Date.now() + DEADLINE_MS;
    const writer = async () => {
      while (!killed && next < MAX_ATTEMPTS && Date.now() < deadline) {
        const i = next++;
        inFlight++;
        const reply = await call(first.url, '/api/v1/machines', {
          method: 'POST',
          token: keys.root,
          json: machine(i),
        }).catch(() => undefined); // no answer: the process died under it
        inFlight--;
        if (!reply) continue;
        if (reply.status !== 201) refused.push(`${hostname(i)}: ${reply.status} ${reply.text}`);
        else acked.set(reply.body.hostname, { ip: reply.body.ip, mac: reply.body.mac });
      }
    };
    const killer = async () => {
      let window = false;
      try {
        await until(() => acked.size >= KILL_AFTER || next >= MAX_ATTEMPTS, DEADLINE_MS, 'acks');
        // A bounded number of looks for a committed creation whose answer is not back yet.
        for (let look = 0; look < MAX_LOOKS && !window; look++) {
          window = (await committed()) > acked.size;
        }
      } finally {
        kill();
      }
    };
    await Promise.all([killer(), ...Array.from({ length: WRITERS }, writer)]);
    const died = await first.exited;

    expect(refused).toEqual([]);
    expect(died.signal).toBe('SIGKILL');
    expect(acked.size).toBeGreaterThanOrEqual(KILL_AFTER);
    // Requests were on the wire when the process died.
    expect(killed?.inFlight).toBeGreaterThan(0);

    const second = await spawnMdb({ ...options, name: 'after' });
    const listed = await call(second.url, '/api/v1/machines?limit=5000', { token: keys.root });
    expect(listed.status).toBe(200);
    const stored = new Map(
      (listed.body.items as { hostname: string; ip: string; mac: string }[]).map((m) => [
        m.hostname,
        { ip: m.ip, mac: m.mac },
      ]),
    );
    const lost = [...acked].filter(
      ([name, m]) => JSON.stringify(stored.get(name)) !== JSON.stringify(m),
    );
    expect(lost).toEqual([]);
    // Unanswered requests may or may not have committed, but only ones that were sent.
    const sent = new Set(Array.from({ length: next }, (_, i) => hostname(i)));
    expect([...stored.keys()].filter((name) => !sent.has(name))).toEqual([]);

    const database = openDatabase(fresh.url, { poolSize: 1 });
    try {
      const snapshot = await inspect(database);
      expect(snapshot.problems).toEqual([]);
      expect(snapshot.machines).toHaveLength(stored.size);
      // One `create` per machine row and nothing else for machines.
      expect(snapshot.machineChanges.map((c) => c.op)).toEqual(Array(stored.size).fill('create'));
      expect(new Set(snapshot.machineChanges.map((c) => c.entity_id))).toEqual(
        new Set(snapshot.machines.map((m) => m.id)),
      );
    } finally {
      await database.close();
    }
    // Allocation is serialized and nothing was burnt: the stored machines hold exactly the
    // lowest addresses, and the restarted service hands out the next one.
    const ips = [...stored.values()].map((m) => m.ip).sort(byIp);
    const expected = lowestHosts(USER_POOL, [], stored.size + 1);
    expect(ips).toEqual(expected.slice(0, stored.size));
    const after = await call(second.url, '/api/v1/machines', {
      method: 'POST',
      token: keys.root,
      json: machine(MAX_ATTEMPTS + 1),
    });
    expect(after.status).toBe(201);
    expect(after.body.ip).toBe(expected[stored.size]);

    // And it still shuts down cleanly.
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  });
});
