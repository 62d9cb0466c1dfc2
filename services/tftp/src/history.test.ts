import { describe, expect, it } from 'vitest';
import { createTransferHistory, plainIp, type TransferRecord } from './history.ts';

const record = (at: number, ip: string): TransferRecord => ({
  at,
  ip,
  file: 'undionly.kpxe',
  resolved: 'undionly.kpxe',
  blksize: 1468,
  tsize: null,
  bytes: 100,
  duration_ms: 1,
  outcome: 'done',
  detail: null,
});

describe('transfer history', () => {
  it('keeps the last records, newest first, filtered by client', () => {
    const h = createTransferHistory(3);
    for (let i = 1; i <= 5; i++) h.add(record(i, i % 2 ? '10.0.0.1' : '10.0.0.2'));
    expect(h.size()).toBe(3);
    expect(h.query(null, 10).map((r) => r.at)).toEqual([5, 4, 3]);
    expect(h.query('10.0.0.1', 10).map((r) => r.at)).toEqual([5, 3]);
    expect(h.query('10.0.0.1', 1).map((r) => r.at)).toEqual([5]);
    expect(h.query('10.0.0.9', 10)).toEqual([]);
  });

  it('keeps nothing with a capacity of 0', () => {
    const h = createTransferHistory(0);
    h.add(record(1, '10.0.0.1'));
    expect(h.query(null, 10)).toEqual([]);
  });

  it('shows IPv4-mapped addresses as IPv4', () => {
    expect(plainIp('::ffff:192.168.0.11')).toBe('192.168.0.11');
    expect(plainIp('fe80::1')).toBe('fe80::1');
    expect(plainIp('10.0.0.1')).toBe('10.0.0.1');
  });
});
