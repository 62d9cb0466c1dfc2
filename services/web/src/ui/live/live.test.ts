import { describe, expect, it } from 'vitest';
import { ago, countOutcomes, type MachineBoot, outcomeOf, stageStep } from './boot-status.ts';
import { parseModel, seatPlace, seatText } from './usermap.ts';

describe('room map model', () => {
  it('parses a model and refuses anything else', () => {
    const model = { ready: true, rooms: [{ name: 'a', seats: [] }], totals: { taken: 0 } };
    expect(parseModel(JSON.stringify(model))?.rooms[0]?.name).toBe('a');
    expect(parseModel('not json')).toBeNull();
    expect(parseModel('{"rooms": 3, "totals": {}}')).toBeNull();
    expect(parseModel('{"rooms": [{"seats": []}], "totals": {}}')).toBeNull();
    expect(parseModel('null')).toBeNull();
  });

  it('says a seat in words: login, state, faulty with its reason', () => {
    expect(seatText({ hostname: 'h', state: 'taken', login: 'jdoe' })).toBe('jdoe');
    expect(seatText({ hostname: 'h', state: 'free' })).toBe('free');
    expect(seatText({ hostname: 'h', state: 'faulty', faulty_reason: 'no screen' })).toBe(
      'faulty: no screen',
    );
    expect(seatText({ hostname: 'h', state: 'faulty' })).toBe('faulty');
  });

  it('places a seat on the grid only when the room has one and the seat a place', () => {
    expect(seatPlace({ hostname: 'h', state: 'free', row: 2, column: 3 }, 4)).toEqual({
      gridRow: '2',
      gridColumn: '3',
    });
    expect(seatPlace({ hostname: 'h', state: 'free', row: 2, column: 3 }, 0)).toEqual({});
    expect(seatPlace({ hostname: 'h', state: 'free' }, 4)).toEqual({});
  });
});

describe('boot board', () => {
  const now = Date.parse('2026-11-22T10:00:00Z');
  const boot = (fields: Partial<MachineBoot>): MachineBoot => ({
    hostname: 'h',
    mac: '52:54:00:00:00:01',
    ip: '10.0.0.1',
    stage: null,
    ok: false,
    last_at: null,
    verdict: 'no boot seen',
    ...fields,
  });

  it('calls a boot booted, booting, stuck or unseen', () => {
    const recent = '2026-11-22T09:59:30Z';
    const old = '2026-11-22T09:50:00Z';
    const all = [
      boot({ ok: true, stage: 'loaded', last_at: old }),
      boot({ stage: 'tftp', last_at: recent }),
      boot({ stage: 'tftp', last_at: old }),
      boot({}),
    ];
    expect(all.map((b) => outcomeOf(b, now))).toEqual(['booted', 'booting', 'stuck', 'unseen']);
    expect(countOutcomes(all, now)).toEqual({ booted: 1, booting: 1, stuck: 1, unseen: 1 });
  });

  it('counts stages from 1 and says how long ago', () => {
    expect(stageStep(null)).toBe(0);
    expect(stageStep('dhcp-firmware')).toBe(1);
    expect(stageStep('loaded')).toBe(9);
    expect(ago(null, now)).toBe('—');
    expect(ago('2026-11-22T09:59:48Z', now)).toBe('12 s ago');
    expect(ago('2026-11-22T09:57:00Z', now)).toBe('3 min ago');
    expect(ago('2026-11-22T07:00:00Z', now)).toBe('3 h ago');
  });
});
