/** How a transfer ended, as `GET /api/v1/transfers` reports it. */
export type TransferOutcome =
  | 'done'
  | 'size-probe'
  | 'aborted-by-client'
  | 'timeout'
  | 'not-found'
  | 'refused'
  | 'error';

/** One request to port 69 that was answered (served, or refused with an ERROR). */
export interface TransferRecord {
  /** Start (the request), ms since the epoch. */
  at: number;
  /** The client (an IPv4-mapped IPv6 address is shown as IPv4). */
  ip: string;
  /** The name as requested. */
  file: string;
  /** The file under root after aliases, or null when refused before. */
  resolved: string | null;
  /** Block size used (512 without the option), null when refused. */
  blksize: number | null;
  /** The size told with the tsize option, or null when not asked. */
  tsize: number | null;
  /** Bytes acknowledged by the client. */
  bytes: number;
  duration_ms: number;
  outcome: TransferOutcome;
  /** The refusal, the client's ERROR, why it failed. */
  detail: string | null;
}

export interface TransferHistory {
  add(record: TransferRecord): void;
  /** Newest first; `ip` null: every client. */
  query(ip: string | null, limit: number): TransferRecord[];
  size(): number;
}

/** "::ffff:10.0.0.1" → "10.0.0.1". */
export const plainIp = (address: string) => address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');

/**
 * The last `capacity` transfers, in memory (soft state: lost on restart). A ring: adding is
 * O(1) and never allocates once full; a query walks it newest first.
 */
export function createTransferHistory(capacity: number): TransferHistory {
  const ring: (TransferRecord | undefined)[] = new Array(capacity);
  let next = 0;
  let count = 0;
  return {
    add(record) {
      if (capacity === 0) return;
      ring[next] = record;
      next = (next + 1) % capacity;
      count = Math.min(count + 1, capacity);
    },
    query(ip, limit) {
      const out: TransferRecord[] = [];
      for (let i = 1; i <= count && out.length < limit; i++) {
        const r = ring[(next - i + capacity) % capacity]!;
        if (ip === null || r.ip === ip) out.push(r);
      }
      return out;
    },
    size: () => count,
  };
}
