import type { Machine } from '@lanctl/model';
import { describe, expect, it } from 'vitest';
import {
  distinct,
  ipNumber,
  machineMatcher,
  NO_FILTER,
  nextSort,
  rowWindow,
  sortMachines,
} from './table.ts';

const machine = (hostname: string, fields: Partial<Machine> = {}): Machine => ({
  hostname,
  aliases: [],
  ip: '192.168.0.1',
  mac: '52:54:00:00:00:01',
  rfs: 0,
  hfs: 0,
  mtype: 'user',
  room: 'pasteur',
  is_faulty: false,
  is_faulty_details: '',
  uuid: null,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  ...fields,
});

const A = machine('pas-r01p2', { ip: '192.168.0.10', mac: '52:54:00:AB:CD:01' });
const B = machine('pas-r01p10', { ip: '192.168.0.9', mac: '52:54:00:12:34:56', room: 'alt' });
const C = machine('orga-1', {
  ip: '192.168.1.1',
  mtype: 'orga',
  is_faulty: true,
  aliases: ['printer'],
});
const ALL = [A, B, C];

const names = (ms: Machine[]) => ms.map((m) => m.hostname);
const matching = (filter: Partial<typeof NO_FILTER>) =>
  names(ALL.filter(machineMatcher({ ...NO_FILTER, ...filter })));

describe('machineMatcher', () => {
  it('matches everything without a filter', () => {
    expect(matching({})).toEqual(names(ALL));
  });

  it('searches hostname, alias and IP, ignoring case and surrounding spaces', () => {
    expect(matching({ query: '  PAS-R01P1 ' })).toEqual(['pas-r01p10']);
    expect(matching({ query: 'printer' })).toEqual(['orga-1']);
    expect(matching({ query: '192.168.0.' })).toEqual(['pas-r01p2', 'pas-r01p10']);
  });

  it('searches MACs whatever the separators and case', () => {
    expect(matching({ query: 'ab:cd' })).toEqual(['pas-r01p2']);
    expect(matching({ query: '52-54-00-12' })).toEqual(['pas-r01p10']);
    expect(matching({ query: '123456' })).toEqual(['pas-r01p10']);
  });

  it('filters by room, type and state, combined with the query', () => {
    expect(matching({ room: 'alt' })).toEqual(['pas-r01p10']);
    expect(matching({ mtype: 'orga' })).toEqual(['orga-1']);
    expect(matching({ state: 'faulty' })).toEqual(['orga-1']);
    expect(matching({ state: 'ok', query: 'pas' })).toEqual(['pas-r01p2', 'pas-r01p10']);
    expect(matching({ room: 'alt', query: 'r01p2' })).toEqual([]);
  });
});

describe('sortMachines', () => {
  it('sorts hostnames naturally and IPs numerically, both ways', () => {
    expect(names(sortMachines(ALL, { key: 'hostname', dir: 'asc' }))).toEqual([
      'orga-1',
      'pas-r01p2',
      'pas-r01p10',
    ]);
    expect(names(sortMachines(ALL, { key: 'ip', dir: 'asc' }))).toEqual([
      'pas-r01p10',
      'pas-r01p2',
      'orga-1',
    ]);
    expect(names(sortMachines(ALL, { key: 'ip', dir: 'desc' }))).toEqual([
      'orga-1',
      'pas-r01p2',
      'pas-r01p10',
    ]);
  });

  it('breaks ties by hostname and leaves its input alone', () => {
    const input = [B, C, A];
    expect(names(sortMachines(input, { key: 'mtype', dir: 'asc' }))).toEqual([
      'orga-1',
      'pas-r01p2',
      'pas-r01p10',
    ]);
    expect(names(sortMachines(input, { key: 'state', dir: 'desc' }))[0]).toBe('orga-1');
    expect(input).toEqual([B, C, A]);
  });

  it('sorts 10,000 machines quickly enough to do it on a click', () => {
    const many = Array.from({ length: 10_000 }, (_, i) =>
      machine(`m${(i * 7919) % 10_000}`, { ip: `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}` }),
    );
    const started = performance.now();
    const sorted = sortMachines(many, { key: 'hostname', dir: 'asc' });
    expect(performance.now() - started).toBeLessThan(500);
    expect(sorted[0]!.hostname).toBe('m0');
    expect(sorted[9999]!.hostname).toBe('m9999');
  });
});

describe('nextSort', () => {
  it('sorts a new column ascending and flips the current one', () => {
    expect(nextSort({ key: 'hostname', dir: 'asc' }, 'ip')).toEqual({ key: 'ip', dir: 'asc' });
    expect(nextSort({ key: 'ip', dir: 'asc' }, 'ip')).toEqual({ key: 'ip', dir: 'desc' });
    expect(nextSort({ key: 'ip', dir: 'desc' }, 'ip')).toEqual({ key: 'ip', dir: 'asc' });
  });
});

describe('rowWindow', () => {
  it('draws the visible rows plus the overscan, and pads for the rest', () => {
    // 800 px of 40 px rows, scrolled to row 100: rows 92..129 drawn (20 + 1 visible, 8 each side).
    expect(rowWindow(4000, 800, 40, 10_000, 8)).toEqual({
      start: 92,
      end: 129,
      padTop: 92 * 40,
      padBottom: (10_000 - 129) * 40,
    });
  });

  it('keeps the total height constant wherever it is scrolled', () => {
    for (const top of [0, 1, 39, 40, 12_345, 399_960, 400_000, 10_000_000]) {
      const w = rowWindow(top, 700, 40, 10_000);
      expect(w.padTop + (w.end - w.start) * 40 + w.padBottom).toBe(400_000);
      expect(w.end - w.start).toBeLessThanOrEqual(Math.ceil(700 / 40) + 1 + 16);
    }
  });

  it('clamps at both ends and handles empty and short tables', () => {
    expect(rowWindow(-50, 800, 40, 10_000).start).toBe(0);
    expect(rowWindow(0, 800, 40, 5)).toEqual({ start: 0, end: 5, padTop: 0, padBottom: 0 });
    expect(rowWindow(0, 800, 40, 0)).toEqual({ start: 0, end: 0, padTop: 0, padBottom: 0 });
    const bottom = rowWindow(1e9, 800, 40, 10_000);
    expect(bottom.end).toBe(10_000);
    expect(bottom.padBottom).toBe(0);
  });
});

describe('ipNumber and distinct', () => {
  it('orders addresses numerically', () => {
    expect(ipNumber('192.168.0.10')).toBeGreaterThan(ipNumber('192.168.0.9'));
    expect(ipNumber('10.0.0.1')).toBe(167772161);
  });

  it('lists the rooms and types in use, once each', () => {
    expect(distinct(ALL, 'room')).toEqual(['alt', 'pasteur']);
    expect(distinct(ALL, 'mtype')).toEqual(['orga', 'user']);
  });
});
