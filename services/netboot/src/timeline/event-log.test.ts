import { join } from 'node:path';
import type { NetbootEvent } from '@lanctl/boot';
import { type TempDir, tempDir } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEventLog } from './event-log.ts';

const MAC = '52:54:00:00:00:01';
const event = (at: number, ip: string, over: Partial<NetbootEvent> = {}): NetbootEvent => ({
  at,
  ip,
  mac: null,
  kind: 'bootstrap',
  path: '/bootstrap',
  status: 200,
  outcome: 'served',
  detail: null,
  ...over,
});

let dir: TempDir;
beforeAll(async () => {
  dir = await tempDir('lanctl-netboot-log-');
});
afterAll(() => dir.cleanup());

describe('event log', () => {
  it('finds events by MAC and by IPs, newest first, since a time, with their extra fields', () => {
    const log = openEventLog({ path: null, maxEvents: 100 });
    const file: NetbootEvent = {
      ...event(30, '10.0.0.2', { kind: 'file', path: '/rfs/vmlinuz', file_role: 'kernel' }),
      bytes: 100,
      size: 100,
      duration_ms: 5,
      queued_ms: 0,
    };
    log.record(event(10, '10.0.0.1'));
    log.record(
      event(20, '10.0.0.1', { kind: 'script', mac: MAC, profile: 'contestant', outcome: 'boot' }),
    );
    log.record(file);
    log.record(event(40, '10.0.0.3'));
    expect(log.byMac(MAC, 0, 10)).toEqual([
      event(20, '10.0.0.1', { kind: 'script', mac: MAC, profile: 'contestant', outcome: 'boot' }),
    ]);
    expect(log.byIps(['10.0.0.1', '10.0.0.2'], 0, 10).map((e) => e.at)).toEqual([30, 20, 10]);
    expect(log.byIps(['10.0.0.2'], 0, 10)).toEqual([file]);
    expect(log.byIps(['10.0.0.1', '10.0.0.2'], 15, 10).map((e) => e.at)).toEqual([30, 20]);
    expect(log.byIps(['10.0.0.1', '10.0.0.2'], 0, 1).map((e) => e.at)).toEqual([30]);
    expect(log.byIps([], 0, 10)).toEqual([]);
    log.close();
  });

  it('keeps its events in a file across reopening, and prunes the oldest beyond maxEvents', () => {
    const path = join(dir.path, 'events.sqlite');
    const log = openEventLog({ path, maxEvents: 1500 });
    for (let i = 0; i < 2500; i++) log.record(event(i, '10.0.0.1'));
    log.close();
    const again = openEventLog({ path, maxEvents: 1500 });
    const kept = again.byIps(['10.0.0.1'], 0, 5000);
    expect(kept).toHaveLength(1500);
    expect(kept.at(-1)!.at).toBe(1000);
    again.close();
    expect(() => openEventLog({ path: null, maxEvents: 0 })).toThrow(/maxEvents/);
  });
});
