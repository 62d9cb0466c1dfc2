import Database from 'better-sqlite3';
import {
  EVENT_FIELDS,
  eventFields,
  type FlatRows,
  LEASE_FIELDS,
  type LeaseWriter,
  leaseFields,
  startLeaseWriter,
} from './lease-writer.ts';
import type { Lease, LeaseView } from './policy.ts';
import { FreePools } from './pool.ts';

/** One line of a machine's boot timeline. */
export interface BootEvent {
  /** ms since the epoch. */
  at: number;
  mac: string;
  /** DISCOVER, OFFER, REQUEST, ACK, NAK, RELEASE, DECLINE, INFORM, IGNORED. */
  type: string;
  xid: number;
  /** The address asked for or given, if any. */
  address: string | null;
  kind: string | null;
  /** giaddr of a relayed exchange. */
  relay: string | null;
  /** Ignore reason, NAK message, note. */
  detail: string | null;
}

/**
 * One exchange step, stored as one row: the request (`type`, `address` asked for) and what became
 * of it (`outcome` OFFER/ACK/NAK/IGNORED with its `outcomeAddress`, or null for a note such as
 * `released`); `detail` is the outcome's (ignore reason, NAK message, boot file) or the note.
 * `events()` shows it as the two boot events it stands for.
 */
export interface BootStep extends BootEvent {
  outcome: string | null;
  outcomeAddress: string | null;
}

export interface LeaseStore extends LeaseView {
  /** Applies lease rows to the in-memory table now and queues them for the next commit. */
  put(leases: Lease[]): void;
  record(step: BootStep): void;
  /** Calls `done` once everything queued so far is durable (with the error if its commit failed). */
  afterCommit(done: (error?: Error) => void): void;
  /** afterCommit as a promise. */
  commit(): Promise<void>;
  /** Writes queued or being committed (load shedding looks at it). */
  backlog(): number;
  /** All leases (for the API), lowest address first. */
  all(): Lease[];
  /** Leases not expired at `now` and not declined. */
  activeCount(now: number): number;
  /** The MAC's newest boot events first (a step's outcome, then its request). */
  events(mac: string, limit: number): BootEvent[];
  /** Deletes steps older than `maxAgeMs` and beyond `perMac` per MAC; returns how many. */
  prune(now: number, maxAgeMs: number, perMac: number): Promise<number>;
  /** Commits what is queued, then closes the database. */
  close(): Promise<void>;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS leases (
  ip INTEGER PRIMARY KEY, key TEXT NOT NULL, mac TEXT, state TEXT NOT NULL,
  expires_at INTEGER NOT NULL, subnet TEXT NOT NULL, hostname TEXT
);
CREATE TABLE IF NOT EXISTS boot_events (
  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, mac TEXT NOT NULL, type TEXT NOT NULL,
  xid INTEGER NOT NULL, address TEXT, kind TEXT, relay TEXT, detail TEXT,
  outcome TEXT, outcome_address TEXT
);
CREATE INDEX IF NOT EXISTS boot_events_mac ON boot_events (mac, id);
CREATE INDEX IF NOT EXISTS boot_events_at ON boot_events (at);
`;

/**
 * Databases from before one row per step: their boot_events gains the outcome columns (old rows
 * read as single events). Their `AUTOINCREMENT` id stays; it orders rows the same way.
 */
function migrate(db: Database.Database): void {
  const columns = db.prepare('PRAGMA table_info(boot_events)').all() as { name: string }[];
  if (columns.some((c) => c.name === 'outcome')) return;
  db.exec(`ALTER TABLE boot_events ADD COLUMN outcome TEXT;
    ALTER TABLE boot_events ADD COLUMN outcome_address TEXT;`);
}

interface StepRow extends BootEvent {
  outcome: string | null;
  outcome_address: string | null;
}

/** A stored step as the boot events it stands for, newest first. */
function stepEvents(r: StepRow): BootEvent[] {
  const { at, mac, type, xid, address, kind, relay, detail } = r;
  if (r.outcome === null) return [{ at, mac, type, xid, address, kind, relay, detail }];
  return [
    { at, mac, type: r.outcome, xid, address: r.outcome_address, kind, relay, detail },
    { at, mac, type, xid, address, kind, relay, detail: null },
  ];
}

interface LeaseRow {
  ip: number;
  key: string;
  mac: string | null;
  state: Lease['state'];
  expires_at: number;
  subnet: string;
  hostname: string | null;
}

const fromRow = (r: LeaseRow): Lease => ({
  ip: r.ip,
  key: r.key,
  mac: r.mac,
  state: r.state,
  expiresAt: r.expires_at,
  subnet: r.subnet,
  hostname: r.hostname,
});

/** The in-memory lease table: by address, by client key, by MAC. A client holds one lease. */
class LeaseIndex implements LeaseView {
  private readonly ips = new Map<number, Lease>();
  private readonly keys = new Map<string, number>();
  private readonly macs = new Map<string, number>();
  private readonly pools = new FreePools(
    (ip) => this.ips.get(ip) ?? null,
    () => this.ips.values(),
  );
  private writes = 0;

  byClient(key: string, mac: string | null): Lease | null {
    const ip = this.keys.get(key) ?? (mac ? this.macs.get(mac) : undefined);
    return ip === undefined ? null : (this.ips.get(ip) ?? null);
  }

  freeIps(from: number, to: number, now: number): Iterable<number> {
    return this.pools.free(from, to, now);
  }

  byIp(ip: number): Lease | null {
    return this.ips.get(ip) ?? null;
  }

  values(): IterableIterator<Lease> {
    return this.ips.values();
  }

  /** Sets a row; returns the client's previous address, now freed (to be written too), if any. */
  set(lease: Lease): Lease | null {
    const old = this.ips.get(lease.ip);
    if (old) {
      if (this.keys.get(old.key) === old.ip) this.keys.delete(old.key);
      if (old.mac && this.macs.get(old.mac) === old.ip) this.macs.delete(old.mac);
    }
    this.ips.set(lease.ip, lease);
    this.noted(lease);
    if (lease.state === 'declined') return null;
    const previous = this.keys.get(lease.key);
    this.keys.set(lease.key, lease.ip);
    if (lease.mac) this.macs.set(lease.mac, lease.ip);
    const stale = previous === undefined || previous === lease.ip ? null : this.ips.get(previous);
    if (!stale) return null;
    const freed: Lease = { ...stale, state: 'released', expiresAt: 0 };
    this.ips.set(freed.ip, freed);
    this.noted(freed);
    return freed;
  }

  private noted(lease: Lease): void {
    this.pools.noted(lease.ip, lease.expiresAt);
    if (++this.writes % 4096 === 0) this.pools.compact(this.ips.size);
  }
}

/** Writes queued for one commit, and who waits for their durability. */
class Batch {
  readonly leases: FlatRows = [];
  readonly events: FlatRows = [];
  readonly waiters: ((error?: Error) => void)[] = [];

  /** Rows queued. */
  get size(): number {
    return this.leases.length / LEASE_FIELDS + this.events.length / EVENT_FIELDS;
  }
}

/**
 * Leases and boot events in one SQLite file (WAL, synchronous=FULL), mirrored in memory for the
 * policy. Writes go to a worker thread (`lease-writer.ts`) so fsyncs never block the event loop:
 * the first write waits `windowMs`, then is committed; while a commit runs, the next batch
 * gathers (group commit that grows with load). `commit()` resolves once everything queued so far
 * is durable, so an ACK sent after it survives `kill -9`. Reads (`events`) use their own
 * connection here.
 */
class SqliteLeaseStore implements LeaseStore {
  private readonly reader: Database.Database;
  private readonly writer: LeaseWriter;
  private readonly index = new LeaseIndex();
  private pending = new Batch();
  private inFlight: Batch | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    path: string,
    private readonly windowMs: number,
    private readonly onError: (e: Error) => void,
  ) {
    this.reader = new Database(path);
    this.reader.pragma('journal_mode = WAL');
    this.reader.exec(SCHEMA);
    migrate(this.reader);
    const rows = this.reader.prepare('SELECT * FROM leases ORDER BY ip').all() as LeaseRow[];
    for (const row of rows) this.index.set(fromRow(row));
    this.writer = startLeaseWriter(path);
  }

  byClient(key: string, mac: string | null): Lease | null {
    return this.index.byClient(key, mac);
  }

  byIp(ip: number): Lease | null {
    return this.index.byIp(ip);
  }

  freeIps(from: number, to: number, now: number): Iterable<number> {
    return this.index.freeIps(from, to, now);
  }

  put(leases: Lease[]): void {
    for (const lease of leases) {
      const freed = this.index.set(lease);
      leaseFields(this.pending.leases, lease);
      if (freed) leaseFields(this.pending.leases, freed);
    }
    if (leases.length) this.schedule();
  }

  record(step: BootStep): void {
    eventFields(this.pending.events, step);
    this.schedule();
  }

  afterCommit(done: (error?: Error) => void): void {
    if (this.pending.size > 0) this.pending.waiters.push(done);
    else if (this.inFlight) this.inFlight.waiters.push(done);
    else done();
  }

  commit(): Promise<void> {
    return new Promise((resolve, reject) => this.afterCommit((e) => (e ? reject(e) : resolve())));
  }

  backlog(): number {
    return this.pending.size + (this.inFlight?.size ?? 0);
  }

  all(): Lease[] {
    return [...this.index.values()].sort((a, b) => a.ip - b.ip);
  }

  activeCount(now: number): number {
    let n = 0;
    for (const l of this.index.values()) if (l.state !== 'declined' && l.expiresAt > now) n++;
    return n;
  }

  events(mac: string, limit: number): BootEvent[] {
    const rows = this.reader
      .prepare(
        `SELECT at, mac, type, xid, address, kind, relay, detail, outcome, outcome_address
         FROM boot_events WHERE mac = ? ORDER BY id DESC LIMIT ?`,
      )
      .all(mac, limit) as StepRow[];
    return rows.flatMap(stepEvents).slice(0, limit);
  }

  prune(now: number, maxAgeMs: number, perMac: number): Promise<number> {
    return this.writer.prune(now, maxAgeMs, perMac);
  }

  async close(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const settled = (batch: Batch | null) =>
      new Promise<void>((resolve) => (batch ? batch.waiters.push(() => resolve()) : resolve()));
    await settled(this.inFlight); // which flushes what is pending when it is done
    if (this.pending.size > 0 && this.inFlight === null) this.flush();
    await settled(this.inFlight);
    await this.writer.close();
    this.reader.close();
  }

  private schedule(): void {
    if (this.timer === null && this.inFlight === null) {
      this.timer = setTimeout(() => this.flush(), this.windowMs);
    }
  }

  /** Sends the pending batch to the writer; when it is durable, its waiters go on. */
  private flush(): void {
    this.timer = null;
    const batch = this.pending;
    this.pending = new Batch();
    this.inFlight = batch;
    this.writer.write(batch.leases, batch.events).then(
      () => this.committed(batch),
      (e: Error) => this.committed(batch, e),
    );
  }

  private committed(batch: Batch, error?: Error): void {
    this.inFlight = null;
    if (error) this.onError(error);
    for (const done of batch.waiters) {
      try {
        done(error);
      } catch (e) {
        this.onError(e as Error);
      }
    }
    if (this.pending.size > 0) this.flush();
  }
}

/** Opens (creating) the lease database; `onError` hears of failed commits (their ACKs are not sent). */
export function openLeaseStore(
  path: string,
  windowMs: number,
  onError: (e: Error) => void = () => {},
): LeaseStore {
  return new SqliteLeaseStore(path, windowMs, onError);
}
