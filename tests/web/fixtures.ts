import type { Machine } from '@lanctl/model';

/** Machine `i` of a synthetic park: m00000.., 10.0.x.y, rooms and types in rotation. */
export function fakeMachine(i: number): Machine {
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return {
    hostname: `m${String(i).padStart(5, '0')}`,
    aliases: [],
    ip: `10.0.${i >> 8}.${i & 255}`,
    mac: `52:54:00:00:${hex(i >> 8)}:${hex(i & 255)}`,
    rfs: 0,
    hfs: 0,
    mtype: i % 10 === 0 ? 'orga' : 'user',
    room: ['pasteur', 'alt', 'cluster'][i % 3]!,
    is_faulty: i % 97 === 0,
    is_faulty_details: '',
    uuid: null,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  };
}

/**
 * A sync stream's answer holding one snapshot of `records` (packages/sync wire.ts), for a page
 * route that stands in for `GET /api/v1/sync/<table>`; `retry` keeps the browser from asking
 * again for an hour once this body ends.
 */
export function snapshotStream(table: string, records: unknown[]): string {
  const items = records.map((record, i) => ({ id: String(i + 1), record }));
  const data = JSON.stringify({ revision: 1, table, reset: false, items });
  return `retry: 3600000\nid: 1\nevent: snapshot\ndata: ${data}\n\n`;
}

/**
 * One sync stream `create` event per record (packages/sync wire.ts), as the owner writes them
 * after `snapshotStream(table, existing)` (revision 1, ids 1..existing): revisions and internal
 * ids follow on from there. One string per event, to be written one at a time.
 */
export function createEvents(table: string, existing: number, records: unknown[]): string[] {
  return records.map((record, i) => {
    const revision = 2 + i;
    const id = String(existing + i + 1);
    const data = JSON.stringify({ revision, table, id, op: 'create', record });
    return `id: ${revision}\nevent: change\ndata: ${data}\n\n`;
  });
}
