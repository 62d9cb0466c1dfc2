import type { NetbootEvent } from '@lanctl/boot';
import Database from 'better-sqlite3';

/** The netboot service's requests, per machine, for the boot timeline (telemetry: best effort). */
export interface EventLog {
  /** Queues the event; it is written with the others of the same tick in one transaction. */
  record(e: NetbootEvent): void;
  /** Events carrying `mac` since `sinceMs`, newest first. */
  byMac(mac: string, sinceMs: number, limit: number): NetbootEvent[];
  /** Events from any of `ips` since `sinceMs`, newest first. */
  byIps(ips: string[], sinceMs: number, limit: number): NetbootEvent[];
  /** Writes what is queued, then closes the database. */
  close(): void;
}

export interface EventLogOptions {
  /** SQLite file (WAL, synchronous NORMAL: telemetry), or null: in memory. */
  path: string | null;
  /** Events kept: the oldest beyond are deleted. */
  maxEvents: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS netboot_events (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  ip TEXT NOT NULL,
  mac TEXT,
  kind TEXT NOT NULL,
  path TEXT NOT NULL,
  status INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  detail TEXT,
  extra TEXT
);
CREATE INDEX IF NOT EXISTS netboot_events_mac ON netboot_events (mac, at);
CREATE INDEX IF NOT EXISTS netboot_events_ip ON netboot_events (ip, at);
`;

/** The optional fields, stored as one JSON column. */
const EXTRA_FIELDS = ['profile', 'bytes', 'size', 'duration_ms', 'queued_ms', 'file_role'] as const;

interface Row {
  at: number;
  ip: string;
  mac: string | null;
  kind: NetbootEvent['kind'];
  path: string;
  status: number;
  outcome: string;
  detail: string | null;
  extra: string | null;
}

function toRow(e: NetbootEvent): Row {
  const extra: Record<string, unknown> = {};
  for (const key of EXTRA_FIELDS) if (e[key] !== undefined) extra[key] = e[key];
  const { at, ip, mac, kind, path, status, outcome, detail } = e;
  const json = Object.keys(extra).length > 0 ? JSON.stringify(extra) : null;
  return { at, ip, mac, kind, path, status, outcome, detail, extra: json };
}

function fromRow(r: Row): NetbootEvent {
  const { extra, ...base } = r;
  return { ...base, ...(extra ? (JSON.parse(extra) as Partial<NetbootEvent>) : {}) };
}

/** Prune once this many events were added since the last prune. */
const PRUNE_EVERY = 1000;
/** Most IPs in one query (SQLite's parameter limit is far above). */
const MAX_IPS = 500;

/**
 * The event log on SQLite. Records are queued and written in one transaction per event-loop
 * turn (a boot storm's thousands of requests a second cost a few commits); a read writes the
 * queue first. Beyond `maxEvents` the oldest are deleted (checked every 1000 records).
 */
export function openEventLog(options: EventLogOptions): EventLog {
  if (!Number.isInteger(options.maxEvents) || options.maxEvents < 1)
    throw new Error('netboot: event log: maxEvents: expected an integer >= 1');
  const db = new Database(options.path ?? ':memory:');
  if (options.path) db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(SCHEMA);
  const insert = db.prepare(
    `INSERT INTO netboot_events (at, ip, mac, kind, path, status, outcome, detail, extra)
     VALUES (@at, @ip, @mac, @kind, @path, @status, @outcome, @detail, @extra)`,
  );
  const byMac = db.prepare(
    'SELECT at, ip, mac, kind, path, status, outcome, detail, extra FROM netboot_events WHERE mac = ? AND at >= ? ORDER BY at DESC, id DESC LIMIT ?',
  );
  const prune = db.prepare(
    'DELETE FROM netboot_events WHERE id <= (SELECT MAX(id) FROM netboot_events) - ?',
  );
  let queue: Row[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  let sincePrune = 0;
  let closed = false;
  const writeAll = db.transaction((rows: Row[]) => {
    for (const r of rows) insert.run(r);
    sincePrune += rows.length;
    if (sincePrune >= PRUNE_EVERY) {
      prune.run(options.maxEvents);
      sincePrune = 0;
    }
  });
  const flush = () => {
    clearImmediate(scheduled);
    scheduled = undefined;
    if (queue.length === 0 || closed) return;
    const rows = queue;
    queue = [];
    writeAll(rows);
  };
  return {
    record(e) {
      if (closed) return;
      queue.push(toRow(e));
      scheduled ??= setImmediate(flush);
    },
    byMac(mac, sinceMs, limit) {
      flush();
      return (byMac.all(mac, sinceMs, limit) as Row[]).map(fromRow);
    },
    byIps(ips, sinceMs, limit) {
      flush();
      const list = [...new Set(ips)].slice(0, MAX_IPS);
      if (list.length === 0) return [];
      const marks = list.map(() => '?').join(', ');
      const sql = `SELECT at, ip, mac, kind, path, status, outcome, detail, extra FROM netboot_events WHERE ip IN (${marks}) AND at >= ?
        ORDER BY at DESC, id DESC LIMIT ?`;
      return (db.prepare(sql).all(...list, sinceMs, limit) as Row[]).map(fromRow);
    },
    close() {
      if (closed) return;
      flush();
      prune.run(options.maxEvents);
      closed = true;
      db.close();
    },
  };
}
