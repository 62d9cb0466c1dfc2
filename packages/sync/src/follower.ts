import type { Logger } from '@lanctl/core';
import { type Database, type Kysely, readTransaction } from '@lanctl/db';
import pg from 'pg';
import type { Hub } from './hub.ts';
import { CHANGE_CHANNEL, headRevision, oldestRevision, readChanges } from './log.ts';
import type { ChangeEvent, SnapshotItem } from './wire.ts';

/** How an owner reads one of its tables whole, as the same records its change log holds. */
export interface StreamTable {
  name: string;
  load(db: Kysely<any>): Promise<SnapshotItem[]>;
}

export interface FollowerOptions {
  database: Database;
  tables: StreamTable[];
  hub: Hub;
  logger: Logger;
  /** Safety net when no wake-up arrives (another process on SQLite, a lost NOTIFY). */
  pollMs?: number;
}

const BATCH = 1000;

/**
 * Feeds a hub from the owner's change log: a consistent snapshot (tables and head revision in
 * one read transaction), then every change after it, read on each local commit, each PostgreSQL
 * NOTIFY from other processes, and a periodic poll. Reads are single-flight and resume from the
 * hub's revision, so a wake-up can be lost or duplicated without losing a change.
 */
export class LogFollower {
  private reading: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private listener: pg.Client | undefined;
  private stopped = false;
  private readonly onCommit = () => this.wake();

  constructor(private readonly options: FollowerOptions) {}

  async start(): Promise<void> {
    const { database, tables, hub } = this.options;
    const loaded = await readTransaction(database, async (tx) => {
      const revision = await headRevision(tx);
      const items: Record<string, SnapshotItem[]> = {};
      for (const table of tables) items[table.name] = await table.load(tx);
      return { revision, items };
    });
    hub.reset(loaded.revision, loaded.items);
    database.events.on('commit', this.onCommit);
    this.timer = setInterval(() => this.wake(), this.options.pollMs ?? 1000);
    this.timer.unref();
    if (database.engine === 'postgres') await this.listen();
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.options.database.events.off('commit', this.onCommit);
    clearInterval(this.timer);
    await this.reading;
    await this.listener?.end().catch(() => undefined);
  }

  /** The hub's backfill: older changes from the log, or 'compacted' when they are gone. */
  backfill = {
    changes: async (after: number, upTo: number): Promise<ChangeEvent[] | 'compacted'> => {
      const db = this.options.database.db;
      const oldest = await oldestRevision(db);
      if (oldest > after + 1) return 'compacted';
      const names = this.options.tables.map((t) => t.name);
      const out: ChangeEvent[] = [];
      let from = after;
      while (from < upTo) {
        const batch = await readChanges(db, { after: from, limit: BATCH, tables: names });
        for (const e of batch) if (e.revision <= upTo) out.push(toEvent(e));
        if (batch.length < BATCH) break;
        from = batch[batch.length - 1]!.revision;
      }
      return out;
    },
  };

  /**
   * Waits (at most `timeoutMs`) until the hub has read up to `revision`, when the log has it; a
   * revision the log does not have comes from another history and is not waited for.
   */
  async catchUp(revision: number, timeoutMs = 5000): Promise<void> {
    const { hub, database } = this.options;
    if (hub.revision >= revision || (await headRevision(database.db)) < revision) return;
    const deadline = Date.now() + timeoutMs;
    while (hub.revision < revision && Date.now() < deadline && !this.stopped) {
      this.wake();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Reads what is new; a wake during a read makes it read once more afterwards. */
  wake(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.drain()
      .catch((e: unknown) => {
        this.options.logger.error('change log read failed', { error: String(e) });
      })
      .finally(() => {
        this.reading = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async drain(): Promise<void> {
    const { database, hub } = this.options;
    for (;;) {
      // Every table's changes: those of tables the hub does not serve still move its revision.
      const batch = await readChanges(database.db, { after: hub.revision, limit: BATCH });
      if (batch.length === 0) return;
      hub.apply(batch.map(toEvent));
      if (batch.length < BATCH) return;
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.database.url });
    client.on('notification', () => this.wake());
    client.on('error', (e) => {
      // pg emits more than one error for one lost connection: handle it once.
      if (this.listener !== client) return;
      this.options.logger.warn('change notifications lost, polling meanwhile', {
        error: e.message,
      });
      this.listener = undefined;
      this.relisten();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (e) {
      await client.end().catch(() => undefined);
      throw e;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    this.wake(); // what was committed while nobody listened
  }

  /** LISTEN again in 2 s, and again 2 s after every failed attempt, until stopped. */
  private relisten(): void {
    if (this.stopped) return;
    setTimeout(() => {
      if (!this.stopped) this.listen().catch(() => this.relisten());
    }, 2000).unref();
  }
}

const toEvent = (e: {
  revision: number;
  table: string;
  entity_id: string;
  op: ChangeEvent['op'];
  record: unknown;
}): ChangeEvent => ({
  revision: e.revision,
  table: e.table,
  id: e.entity_id,
  op: e.op,
  record: e.record,
});
