import type { Machine } from '@lanctl/model';

/** Pure logic of the machines table: what matches, in which order, which rows are drawn. */

export type MachineState = 'ok' | 'faulty';
export const machineState = (m: Machine): MachineState => (m.is_faulty ? 'faulty' : 'ok');

export interface MachineFilter {
  /** Matches hostname, aliases, IP or MAC (any separator, any case). */
  query: string;
  room: string;
  mtype: string;
  state: MachineState | '';
}

export const NO_FILTER: MachineFilter = { query: '', room: '', mtype: '', state: '' };

const hexOnly = (text: string) => text.toLowerCase().replace(/[^0-9a-f]/g, '');

/** A predicate for one filter, with the query normalised once rather than once per row. */
export function machineMatcher(filter: MachineFilter): (m: Machine) => boolean {
  const query = filter.query.trim().toLowerCase();
  // "52-54-00-12" and "525400 12" find 52:54:00:12:..; a query with other letters is no MAC.
  const macQuery = /^[0-9a-f:.\s-]+$/.test(query) ? hexOnly(query) : '';
  return (m) => {
    if (filter.room && m.room !== filter.room) return false;
    if (filter.mtype && m.mtype !== filter.mtype) return false;
    if (filter.state && machineState(m) !== filter.state) return false;
    if (!query) return true;
    return (
      m.hostname.includes(query) ||
      m.ip.includes(query) ||
      m.mac.toLowerCase().includes(query) ||
      (macQuery.length > 0 && hexOnly(m.mac).includes(macQuery)) ||
      m.aliases.some((a) => a.includes(query))
    );
  };
}

export type SortKey = 'hostname' | 'ip' | 'mac' | 'room' | 'mtype' | 'state';
export interface Sort {
  key: SortKey;
  dir: 'asc' | 'desc';
}

/** IPv4 as a number, so 192.168.0.10 sorts after 192.168.0.9. */
export function ipNumber(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) return -1;
  return parts.reduce((n, p) => n * 256 + (Number(p) || 0), 0);
}

/** Natural order for hostnames: pas-r01p2 before pas-r01p10. */
const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

function compareBy(key: SortKey): (a: Machine, b: Machine) => number {
  switch (key) {
    case 'ip':
      return (a, b) => ipNumber(a.ip) - ipNumber(b.ip);
    case 'state':
      return (a, b) => Number(a.is_faulty) - Number(b.is_faulty);
    case 'hostname':
      return (a, b) => collator.compare(a.hostname, b.hostname);
    default:
      return (a, b) => collator.compare(a[key], b[key]);
  }
}

/** A sorted copy; ties broken by hostname so the order is stable whatever the input order. */
export function sortMachines(machines: readonly Machine[], sort: Sort): Machine[] {
  const primary = compareBy(sort.key);
  const sign = sort.dir === 'asc' ? 1 : -1;
  const byName = compareBy('hostname');
  return [...machines].sort((a, b) => sign * primary(a, b) || byName(a, b));
}

/** Clicking a column sorts by it ascending; clicking it again flips the direction. */
export function nextSort(current: Sort, key: SortKey): Sort {
  if (current.key !== key) return { key, dir: 'asc' };
  return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
}

export interface RowWindow {
  /** First drawn row (inclusive) and the row after the last drawn one. */
  start: number;
  end: number;
  /** Space standing for the rows above and below the drawn ones, in pixels. */
  padTop: number;
  padBottom: number;
}

/**
 * Which rows to draw for a scroll position: the visible ones plus `overscan` on each side, so a
 * table of 10,000 rows keeps a few dozen in the DOM.
 */
export function rowWindow(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan = 8,
): RowWindow {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0, padTop: 0, padBottom: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.min(Math.max(0, first - overscan), count);
  const end = Math.min(count, first + visible + overscan);
  return {
    start: Math.min(start, end),
    end,
    padTop: Math.min(start, end) * rowHeight,
    padBottom: (count - end) * rowHeight,
  };
}

/** Distinct non-empty values of one field, sorted, for the filter menus. */
export function distinct(machines: readonly Machine[], field: 'room' | 'mtype'): string[] {
  return [...new Set(machines.map((m) => m[field]))].filter(Boolean).sort(collator.compare);
}
