import type { Logger } from '@lanctl/core';
import type { ChangeEvent, SnapshotEvent, SnapshotItem } from './wire.ts';

/** What a hub is fed from: the owner's change log, or a relay's upstream subscription. */
export interface Backfill {
  /**
   * Changes with a revision in (after, upTo], oldest first, or 'compacted' when the log no
   * longer reaches back to `after`. Relays have none: a resume beyond their memory is a reset.
   */
  changes(after: number, upTo: number): Promise<ChangeEvent[] | 'compacted'>;
  /**
   * Resolves once the hub has read up to `revision`, if the source has it: a subscriber moving
   * to a replica that has not yet read what it saw elsewhere waits instead of going back in time.
   */
  catchUp?(revision: number): Promise<void>;
}

/** A subscriber's sink: it receives the initial payload, then every change, in order. */
export interface Subscriber {
  send(
    event:
      | { type: 'snapshot'; data: SnapshotEvent }
      | { type: 'change'; data: ChangeEvent; previous?: unknown },
  ): void;
}

export interface HubOptions {
  tables: string[];
  logger: Logger;
  /** Recent changes kept in memory, per hub, for resumes without a database read. */
  ringSize?: number;
  backfill?: Backfill;
}

/**
 * The materialized state of some tables at a revision, the recent changes, and the subscribers.
 * Fed by `reset` (a full snapshot) and `apply` (changes in revision order); subscribers get a
 * snapshot or exactly the changes they missed, then every change as it is applied. All of it is
 * synchronous over memory, so no change can slip between a subscriber's catch-up and its
 * registration.
 */
export class Hub {
  private readonly views = new Map<string, Map<string, unknown>>();
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  private ring: ChangeEvent[] = [];
  /** Every change of these tables after this revision is in the ring. */
  private ringFloor = 0;
  private readonly ringSize: number;
  private head = 0;
  private loaded = false;

  constructor(private readonly options: HubOptions) {
    this.ringSize = options.ringSize ?? 20_000;
    for (const table of options.tables) {
      this.views.set(table, new Map());
      this.subscribers.set(table, new Set());
    }
  }

  get revision(): number {
    return this.head;
  }

  get ready(): boolean {
    return this.loaded;
  }

  hasTable(table: string): boolean {
    return this.views.has(table);
  }

  /** The current records of a table (read-only use). */
  view(table: string): ReadonlyMap<string, unknown> {
    return this.requireView(table);
  }

  subscriberCount(): number {
    let n = 0;
    for (const set of this.subscribers.values()) n += set.size;
    return n;
  }

  /**
   * Replaces all state with a snapshot at `revision`. Current subscribers receive it as a reset
   * snapshot (a relay whose upstream reset, or an owner reloading after a gap).
   */
  reset(revision: number, tables: Record<string, SnapshotItem[]>): void {
    for (const [table, view] of this.views) {
      view.clear();
      for (const item of tables[table] ?? []) view.set(item.id, item.record);
    }
    this.head = revision;
    this.ring = [];
    this.ringFloor = revision;
    const wasLoaded = this.loaded;
    this.loaded = true;
    if (!wasLoaded) return;
    for (const [table, set] of this.subscribers) {
      const data = this.snapshot(table, true);
      for (const s of set) s.send({ type: 'snapshot', data });
    }
  }

  /** Applies changes newer than the head, in order; older ones (duplicates) are ignored. */
  apply(events: ChangeEvent[]): void {
    for (const event of events) {
      if (event.revision <= this.head) continue;
      this.head = event.revision;
      const view = this.views.get(event.table);
      if (!view) continue; // a table this hub does not serve still advances the revision
      const previous = view.get(event.id);
      if (event.op === 'delete') view.delete(event.id);
      else view.set(event.id, event.record);
      this.ring.push(event);
      for (const s of this.subscribers.get(event.table)!)
        s.send({ type: 'change', data: event, previous });
    }
    if (this.ring.length > this.ringSize * 1.25) {
      const dropped = this.ring.length - this.ringSize;
      this.ringFloor = this.ring[dropped - 1]!.revision;
      this.ring = this.ring.slice(dropped);
    }
  }

  /**
   * Registers a subscriber. `since` null: a snapshot; otherwise exactly the changes after it
   * (from memory, or the backfill), or a reset snapshot when they are gone. Returns the
   * function that unregisters it.
   */
  async subscribe(
    table: string,
    since: number | null,
    subscriber: Subscriber,
  ): Promise<() => void> {
    this.requireView(table);
    let from = since;
    if (from !== null && from > this.head) await this.options.backfill?.catchUp?.(from);
    if (from !== null && from > this.head) from = null; // still ahead: from another history
    while (from !== null && !this.ringCovers(from)) {
      const upTo = this.ringFloor;
      const older = this.options.backfill
        ? await this.options.backfill.changes(from, upTo)
        : 'compacted';
      if (older === 'compacted') {
        from = null;
        subscriber.send({ type: 'snapshot', data: this.snapshot(table, true) });
        return this.register(table, subscriber);
      }
      for (const e of older) if (e.table === table) subscriber.send({ type: 'change', data: e });
      from = Math.max(from, upTo);
    }
    if (from === null) {
      subscriber.send({ type: 'snapshot', data: this.snapshot(table, since !== null) });
    } else {
      for (const e of this.ring) {
        if (e.revision > from && e.table === table) subscriber.send({ type: 'change', data: e });
      }
    }
    return this.register(table, subscriber);
  }

  snapshot(table: string, reset: boolean): SnapshotEvent {
    const items = [...this.requireView(table)].map(([id, record]) => ({ id, record }));
    return { revision: this.head, table, reset, items };
  }

  private register(table: string, subscriber: Subscriber): () => void {
    const set = this.subscribers.get(table)!;
    set.add(subscriber);
    return () => set.delete(subscriber);
  }

  /** Whether every change after `since` is in memory. */
  private ringCovers(since: number): boolean {
    return since >= this.ringFloor;
  }

  private requireView(table: string): Map<string, unknown> {
    const view = this.views.get(table);
    if (!view) throw new Error(`hub: no table "${table}"`);
    return view;
  }
}
