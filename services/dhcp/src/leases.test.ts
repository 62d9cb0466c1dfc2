import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { type BootStep, openLeaseStore } from './leases.ts';
import type { Lease } from './policy.ts';

const dir = mkdtempSync(join(tmpdir(), 'lanctl-dhcp-leases-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lease = (ip: number, o: Partial<Lease> = {}): Lease => ({
  ip,
  key: 'mac:aa',
  mac: 'aa',
  state: 'bound',
  expiresAt: 5000,
  subnet: 'aliens',
  hostname: null,
  ...o,
});
const event = (mac: string, at: number, o: Partial<BootStep> = {}): BootStep => ({
  at,
  mac,
  type: 'RELEASE',
  xid: at,
  address: null,
  kind: 'bios',
  relay: null,
  detail: 'released',
  outcome: null,
  outcomeAddress: null,
  ...o,
});

describe('lease store', () => {
  it('commits leases durably and reloads them', async () => {
    const path = join(dir, 'a.sqlite');
    const store = openLeaseStore(path, 1);
    store.put([lease(10), lease(11, { key: 'id:01bb', mac: 'bb' })]);
    await store.commit();
    await store.close();
    const again = openLeaseStore(path, 1);
    expect(again.byIp(10)).toEqual(lease(10));
    expect(again.byClient('id:01bb', null)?.ip).toBe(11);
    expect(again.byClient('id:other', 'bb')?.ip).toBe(11);
    expect(again.activeCount(4000)).toBe(2);
    expect(again.activeCount(6000)).toBe(0);
    await again.close();
  });

  it('gives a client one lease: moving it frees the old address', async () => {
    const store = openLeaseStore(join(dir, 'b.sqlite'), 0);
    store.put([lease(10)]);
    store.put([lease(12)]);
    await store.commit();
    expect(store.byClient('mac:aa', 'aa')?.ip).toBe(12);
    expect(store.byIp(10)).toMatchObject({ state: 'released', expiresAt: 0 });
    await store.close();
  });

  it('keeps boot events newest first, bounded per MAC and by age', async () => {
    const store = openLeaseStore(join(dir, 'c.sqlite'), 0);
    for (let i = 0; i < 5; i++) store.record(event('aa', 100 + i));
    store.record(event('bb', 1));
    await store.commit();
    expect(store.events('aa', 2).map((e) => e.at)).toEqual([104, 103]);
    expect(await store.prune(200, 150, 3)).toBe(3); // bb's is too old, aa keeps its newest 3
    expect(store.events('aa', 10).map((e) => e.at)).toEqual([104, 103, 102]);
    expect(store.events('bb', 10)).toEqual([]);
    await store.close();
  });

  it('stores a request and its outcome as one row, shown as two events', async () => {
    const store = openLeaseStore(join(dir, 'd.sqlite'), 0);
    const offer = { outcome: 'OFFER', outcomeAddress: '10.0.0.5', detail: 'undionly.kpxe' };
    store.record(event('aa', 1, { type: 'DISCOVER', ...offer }));
    const nak = { outcome: 'NAK', outcomeAddress: '10.0.0.9', detail: 'wrong network' };
    store.record(event('aa', 2, { type: 'REQUEST', address: '10.0.0.9', ...nak }));
    await store.commit();
    const shown = store.events('aa', 10).map((e) => [e.type, e.address, e.detail]);
    expect(shown).toEqual([
      ['NAK', '10.0.0.9', 'wrong network'],
      ['REQUEST', '10.0.0.9', null],
      ['OFFER', '10.0.0.5', 'undionly.kpxe'],
      ['DISCOVER', null, null],
    ]);
    expect(store.events('aa', 3)).toHaveLength(3);
    await store.close();
  });

  it('opens a database from before one row per step (AUTOINCREMENT, no outcome columns)', async () => {
    const path = join(dir, 'old.sqlite');
    const old = new Database(path);
    old.exec(`CREATE TABLE boot_events (
      id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, mac TEXT NOT NULL,
      type TEXT NOT NULL, xid INTEGER NOT NULL, address TEXT, kind TEXT, relay TEXT, detail TEXT);
      INSERT INTO boot_events (at, mac, type, xid) VALUES (1, 'aa', 'DISCOVER', 7);`);
    old.close();
    const store = openLeaseStore(path, 0);
    store.record(
      event('aa', 2, { type: 'DISCOVER', outcome: 'OFFER', outcomeAddress: '10.0.0.5' }),
    );
    await store.commit();
    expect(store.events('aa', 10).map((e) => e.type)).toEqual(['OFFER', 'DISCOVER', 'DISCOVER']);
    await store.close();
  });
});
