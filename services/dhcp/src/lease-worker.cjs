// The lease database's writer thread (started by lease-writer.ts). Plain CommonJS, not
// TypeScript: a `.ts` worker would need the parent's loader (tsx), which a worker thread does
// not inherit. One message at a time: while it commits a batch (one transaction, one fsync),
// the main thread gathers the next one.
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const Database = require('better-sqlite3');
const db = new Database(workerData.path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
const upsert = db.prepare(`INSERT INTO leases (ip, key, mac, state, expires_at, subnet, hostname)
  VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (ip) DO UPDATE SET key = excluded.key, mac = excluded.mac, state = excluded.state,
    expires_at = excluded.expires_at, subnet = excluded.subnet, hostname = excluded.hostname`);
const insertEvent =
  db.prepare(`INSERT INTO boot_events (at, mac, type, xid, address, kind, relay, detail, outcome,
  outcome_address) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
const write = db.transaction((l, e) => {
  for (let i = 0; i < l.length; i += 7)
    upsert.run(l[i], l[i + 1], l[i + 2], l[i + 3], l[i + 4], l[i + 5], l[i + 6]);
  for (let i = 0; i < e.length; i += 10) {
    insertEvent.run(
      e[i],
      e[i + 1],
      e[i + 2],
      e[i + 3],
      e[i + 4],
      e[i + 5],
      e[i + 6],
      e[i + 7],
      e[i + 8],
      e[i + 9],
    );
  }
});
const prune = db.transaction((before, perMac) => {
  let removed = db.prepare('DELETE FROM boot_events WHERE at < ?').run(before).changes;
  const crowded = db
    .prepare('SELECT mac FROM boot_events GROUP BY mac HAVING COUNT(*) > ?')
    .all(perMac);
  const trim =
    db.prepare(`DELETE FROM boot_events WHERE mac = ? AND id <= (SELECT id FROM boot_events
    WHERE mac = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`);
  for (const { mac } of crowded) removed += trim.run(mac, mac, perMac).changes;
  return removed;
});
parentPort.on('message', (m) => {
  try {
    let value = null;
    if (m.op === 'write') write(m.leases, m.events);
    else if (m.op === 'prune') value = prune(m.before, m.perMac);
    else if (m.op === 'close') db.close();
    parentPort.postMessage({ id: m.id, ok: true, value });
  } catch (e) {
    parentPort.postMessage({ id: m.id, ok: false, error: String(e?.stack ?? e) });
  }
});
