import Database from 'better-sqlite3';
import type { Lease, LeaseView } from './policy.ts';

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

export interface LeaseStore extends LeaseView {
  /** Applies lease rows to the in-memory table now and queues them for the next commit. */
  put(leases: Lease[]): void;
  record(events: BootEvent[]): void;
  /** Resolves once everything queued so far is durable (one transaction per commit window). */
  commit(): Promise<void>;
  /** All leases (for the API), lowest address first. */
  all(): Lease[];
  /** Leases not expired at `now` and not declined. */
  activeCount(now: number): number;
  events(mac: string, limit: number): BootEvent[];
  /** Deletes boot events older than `maxAgeMs` and beyond `perMac` per MAC; returns how many. */
  prune(now: number, maxAgeMs: number, perMac: number): number;
  close(): void;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS leases (
  ip INTEGER PRIMARY KEY, key TEXT NOT NULL, mac TEXT, state TEXT NOT NULL,
  expires_at INTEGER NOT NULL, subnet TEXT NOT NULL, hostname TEXT
);
CREATE TABLE IF NOT EXISTS boot_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, mac TEXT NOT NULL, type TEXT NOT NULL,
  xid INTEGER NOT NULL, address TEXT, kind TEXT, relay TEXT, detail TEXT
);
CREATE INDEX IF NOT EXISTS boot_events_mac ON boot_events (mac, id);
CREATE INDEX IF NOT EXISTS boot_events_at ON boot_events (at);
`;

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

  byClient(key: string, mac: string | null): Lease | null {
    const ip = this.keys.get(key) ?? (mac ? this.macs.get(mac) : undefined);
    return ip === undefined ? null : (this.ips.get(ip) ?? null);
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
    if (lease.state === 'declined') return null;
    const previous = this.keys.get(lease.key);
    this.keys.set(lease.key, lease.ip);
    if (lease.mac) this.macs.set(lease.mac, lease.ip);
    const stale = previous === undefined || previous === lease.ip ? null : this.ips.get(previous);
    if (!stale) return null;
    const freed: Lease = { ...stale, state: 'released', expiresAt: 0 };
    this.ips.set(freed.ip, freed);
    return freed;
  }
}

/**
 * Leases and boot events in one SQLite file (WAL, synchronous=FULL), mirrored in memory for
 * the policy. Writes are group-committed: those queued within `windowMs` share a transaction,
 * and `commit()` resolves after it, so an ACK sent after `commit()` survives `kill -9`.
 */
class SqliteLeaseStore implements LeaseStore {
  private readonly db: Database.Database;
  private readonly index = new LeaseIndex();
  private pendingLeases: Lease[] = [];
  private pendingEvents: BootEvent[] = [];
  private waiters: { resolve(): void; reject(e: Error): void }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly write: (leases: Lease[], events: BootEvent[]) => void;

  constructor(
    path: string,
    private readonly windowMs: number,
  ) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
    const rows = this.db.prepare('SELECT * FROM leases ORDER BY ip').all() as LeaseRow[];
    for (const row of rows) this.index.set(fromRow(row));
    const upsert = this.db.prepare(
      `INSERT INTO leases (ip, key, mac, state, expires_at, subnet, hostname)
       VALUES (@ip, @key, @mac, @state, @expiresAt, @subnet, @hostname)
       ON CONFLICT (ip) DO UPDATE SET key = excluded.key, mac = excluded.mac,
         state = excluded.state, expires_at = excluded.expires_at, subnet = excluded.subnet,
         hostname = excluded.hostname`,
    );
    const insertEvent = this.db.prepare(
      `INSERT INTO boot_events (at, mac, type, xid, address, kind, relay, detail)
       VALUES (@at, @mac, @type, @xid, @address, @kind, @relay, @detail)`,
    );
    this.write = this.db.transaction((leases: Lease[], events: BootEvent[]) => {
      for (const lease of leases) upsert.run(lease);
      for (const event of events) insertEvent.run(event);
    });
  }

  byClient(key: string, mac: string | null): Lease | null {
    return this.index.byClient(key, mac);
  }

  byIp(ip: number): Lease | null {
    return this.index.byIp(ip);
  }

  put(leases: Lease[]): void {
    for (const lease of leases) {
      const freed = this.index.set(lease);
      this.pendingLeases.push(lease);
      if (freed) this.pendingLeases.push(freed);
    }
    if (leases.length) this.schedule();
  }

  record(events: BootEvent[]): void {
    this.pendingEvents.push(...events);
    if (events.length) this.schedule();
  }

  commit(): Promise<void> {
    if (this.timer === null) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
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
    return this.db
      .prepare(
        `SELECT at, mac, type, xid, address, kind, relay, detail FROM boot_events
         WHERE mac = ? ORDER BY id DESC LIMIT ?`,
      )
      .all(mac, limit) as BootEvent[];
  }

  prune(now: number, maxAgeMs: number, perMac: number): number {
    const db = this.db;
    let removed = db.prepare('DELETE FROM boot_events WHERE at < ?').run(now - maxAgeMs).changes;
    const crowded = db
      .prepare('SELECT mac FROM boot_events GROUP BY mac HAVING COUNT(*) > ?')
      .all(perMac) as { mac: string }[];
    const trim = db.prepare(
      `DELETE FROM boot_events WHERE mac = ? AND id <= (SELECT id FROM boot_events WHERE mac = ?
         ORDER BY id DESC LIMIT 1 OFFSET ?)`,
    );
    for (const { mac } of crowded) removed += trim.run(mac, mac, perMac).changes;
    return removed;
  }

  close(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.flush();
    }
    this.db.close();
  }

  private schedule(): void {
    if (this.timer === null) this.timer = setTimeout(() => this.flush(), this.windowMs);
  }

  /** One transaction for everything queued; then the waiting replies go out. */
  private flush(): void {
    this.timer = null;
    const leases = this.pendingLeases;
    const events = this.pendingEvents;
    const waiters = this.waiters;
    this.pendingLeases = [];
    this.pendingEvents = [];
    this.waiters = [];
    try {
      this.write(leases, events);
      for (const w of waiters) w.resolve();
    } catch (e) {
      for (const w of waiters) w.reject(e as Error);
    }
  }
}

export function openLeaseStore(path: string, windowMs: number): LeaseStore {
  return new SqliteLeaseStore(path, windowMs);
}
