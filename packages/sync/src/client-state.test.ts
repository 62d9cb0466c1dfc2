import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  admitEvents,
  applyBatch,
  backoffDelay,
  decodeStateFile,
  deepEqual,
  encodeStateFile,
  type ParsedEvent,
  type SyncMeta,
} from './client-state.ts';
import type { ChangeOp } from './log.ts';
import type { StreamEvent } from './wire.ts';

interface Rec {
  a: number;
  b: number;
}

const change = (revision: number, id: string, op: ChangeOp, record: Rec): StreamEvent => ({
  type: 'change',
  data: { revision, table: 't', id, op, record },
});
const snapshot = (revision: number, rows: [string, Rec][], reset = false): StreamEvent => ({
  type: 'snapshot',
  data: { revision, table: 't', reset, items: rows.map(([id, record]) => ({ id, record })) },
});
const sorted = (m: SyncMeta): SyncMeta => ({
  created: [...m.created].sort(),
  updated: [...m.updated].sort(),
  deleted: [...m.deleted].sort(),
});

const entries = (m: Map<string, Rec>) => [...m].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0));

/** SADM's `apply_updates` for one message, as written in sadm-behaviour §3.3. */
function sadmApply(state: Map<string, Rec>, e: StreamEvent, watch?: (keyof Rec)[]): SyncMeta {
  const meta: SyncMeta = { created: [], updated: [], deleted: [] };
  if (e.type !== 'change') throw new Error('changes only');
  const { id, op, record } = e.data as { id: string; op: ChangeOp; record: Rec };
  const old = state.get(id);
  if (op === 'delete') {
    if (old) meta.deleted.push(id);
    state.delete(id);
  } else {
    if (!old) meta.created.push(id);
    else if (!watch || watch.some((f) => old[f] !== record[f])) meta.updated.push(id);
    state.set(id, record);
  }
  return meta;
}

const recArb = fc.record(
  { a: fc.integer({ min: 0, max: 2 }), b: fc.integer({ min: 0, max: 2 }) },
  { noNullPrototype: true },
);
const opsArb = fc.array(
  fc.record({
    id: fc.constantFrom('m1', 'm2', 'm3', 'm4'),
    op: fc.constantFrom<ChangeOp>('create', 'update', 'delete'),
    record: recArb,
  }),
  { maxLength: 40 },
);
const watchArb = fc.option(fc.subarray<keyof Rec>(['a', 'b']), { nil: undefined });

describe('applyBatch', () => {
  it('a first snapshot reports every id created', () => {
    const r = applyBatch(new Map<string, Rec>(), [
      snapshot(5, [
        ['x', { a: 1, b: 1 }],
        ['y', { a: 2, b: 2 }],
      ]),
    ]);
    expect(r.meta).toEqual({ created: ['x', 'y'], updated: [], deleted: [] });
    expect(r).toMatchObject({ revision: 5, snapshot: true, reset: false });
    expect([...r.state.keys()]).toEqual(['x', 'y']);
  });

  it('a snapshot over a held state reports the difference', () => {
    const before = new Map<string, Rec>([
      ['gone', { a: 0, b: 0 }],
      ['same', { a: 1, b: 1 }],
      ['changed', { a: 1, b: 1 }],
    ]);
    const events = [
      snapshot(
        9,
        [
          ['same', { a: 1, b: 1 }],
          ['changed', { a: 1, b: 2 }],
          ['new', { a: 0, b: 0 }],
        ],
        true,
      ),
    ];
    const r = applyBatch(before, events);
    expect(sorted(r.meta)).toEqual({ created: ['new'], updated: ['changed'], deleted: ['gone'] });
    expect(r.reset).toBe(true);
    // with a watch on `a` only, the `b` change is not reported
    const watched = applyBatch(new Map(before), events, ['a']);
    expect(sorted(watched.meta)).toEqual({ created: ['new'], updated: [], deleted: ['gone'] });
  });

  it('matches SADM apply_updates on every single-event batch (property)', () => {
    fc.assert(
      fc.property(opsArb, watchArb, (ops, watch) => {
        const reference = new Map<string, Rec>();
        let state = new Map<string, Rec>();
        ops.forEach((o, i) => {
          const event = change(i + 1, o.id, o.op, o.record);
          const expected = sadmApply(reference, event, watch);
          const r = applyBatch(state, [event], watch);
          state = r.state;
          expect(r.meta).toEqual(expected);
          expect(r.revision).toBe(i + 1);
        });
        expect(entries(state)).toEqual(entries(reference));
      }),
    );
  });

  it('any split into batches gives the same state and the net metadata (property)', () => {
    const arb = fc.tuple(
      opsArb,
      fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1 }),
      watchArb,
    );
    fc.assert(
      fc.property(arb, ([ops, sizes, watch]) => {
        const events = ops.map((o, i) => change(i + 1, o.id, o.op, o.record));
        const reference = new Map<string, Rec>();
        for (const e of events) sadmApply(reference, e);
        let state = new Map<string, Rec>();
        let at = 0;
        for (let k = 0; at < events.length; k++) {
          const batch = events.slice(at, at + sizes[k % sizes.length]!);
          at += batch.length;
          const before = new Map(state);
          const r = applyBatch(state, batch, watch);
          state = r.state;
          const ids = new Set(batch.map((e) => (e.data as { id: string }).id));
          const inBefore = (id: string) => before.has(id);
          const inAfter = (id: string) => state.has(id);
          expect(sorted(r.meta).created).toEqual(
            [...ids].filter((i) => !inBefore(i) && inAfter(i)).sort(),
          );
          expect(sorted(r.meta).deleted).toEqual(
            [...ids].filter((i) => inBefore(i) && !inAfter(i)).sort(),
          );
          const updatedWanted = [...ids].filter((id) => {
            if (!inBefore(id) || !inAfter(id)) return false;
            if (watch) return watch.some((f) => before.get(id)![f] !== state.get(id)![f]);
            return true; // every update of an existing id is reported without a watch
          });
          expect(sorted(r.meta).updated).toEqual(updatedWanted.sort());
          expect(r.revision).toBe(at);
        }
        expect(entries(state)).toEqual(entries(reference));
      }),
    );
  });
});

describe('admitEvents', () => {
  it('drops changes already applied and refuses a change before any snapshot', () => {
    const events = [
      change(3, 'x', 'update', { a: 0, b: 0 }),
      change(4, 'x', 'update', { a: 1, b: 0 }),
    ];
    expect(admitEvents(events, { table: 't', revision: 3 }).events).toEqual([events[1]]);
    expect(admitEvents(events, { table: 't', revision: null }).error).toMatch(
      /before any snapshot/,
    );
    const withSnap = [snapshot(2, []), ...events];
    expect(admitEvents(withSnap, { table: 't', revision: null }).events).toHaveLength(3);
  });

  it('stops at the first unusable event, keeping those before it', () => {
    const good = change(4, 'x', 'update', { a: 0, b: 0 });
    const parsed: ParsedEvent[] = [
      good,
      { type: 'error', reason: 'bad' },
      change(5, 'y', 'create', { a: 0, b: 0 }),
    ];
    expect(admitEvents(parsed, { table: 't', revision: 1 })).toEqual({
      events: [good],
      error: 'bad',
    });
    const otherTable = { type: 'change', data: { ...good.data, table: 'users' } } as StreamEvent;
    expect(admitEvents([otherTable], { table: 't', revision: 1 }).error).toMatch(/table "users"/);
  });

  it('never throws on arbitrary or nearly valid decoded data (property)', () => {
    const nearlyValid = fc.record(
      {
        revision: fc.oneof(fc.nat(20), fc.constant(-1), fc.double()),
        table: fc.constantFrom('t', 'u'),
        reset: fc.oneof(fc.boolean(), fc.constant('yes')),
        items: fc.oneof(
          fc.array(fc.record({ id: fc.oneof(fc.string(), fc.nat()), record: fc.jsonValue() })),
          fc.constant(null),
        ),
        id: fc.oneof(fc.string(), fc.nat()),
        op: fc.constantFrom('create', 'update', 'delete', 'upsert'),
        record: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    const arb = fc.record({
      type: fc.constantFrom('snapshot', 'change'),
      data: fc.oneof(fc.jsonValue(), nearlyValid),
    });
    fc.assert(
      fc.property(
        fc.array(arb, { maxLength: 6 }),
        fc.option(fc.nat(20), { nil: null }),
        (parsed, revision) => {
          const r = admitEvents(parsed as unknown as ParsedEvent[], { table: 't', revision });
          applyBatch(new Map(), r.events);
          let last = revision ?? -1;
          for (const e of r.events) {
            if (e.type === 'change') expect(e.data.revision).toBeGreaterThan(last);
            last = e.data.revision;
          }
        },
      ),
    );
  });
});

describe('state file', () => {
  it('round-trips and refuses a mismatched or damaged file', () => {
    const state = new Map<string, Rec>([['x', { a: 1, b: 2 }]]);
    const text = encodeStateFile('t', 7, state);
    expect(JSON.parse(text)).toEqual({ table: 't', revision: 7, items: [['x', { a: 1, b: 2 }]] });
    expect(decodeStateFile(text, 't')).toEqual({ revision: 7, state });
    expect(decodeStateFile(text, 'users')).toEqual({ error: 'table "t", expected "users"' });
    expect(decodeStateFile(text.slice(0, 10), 't')).toEqual({ error: 'not JSON' });
    expect(decodeStateFile('{"table":"t","revision":-1,"items":[]}', 't')).toEqual({
      error: 'bad revision',
    });
    expect(decodeStateFile('{"table":"t","revision":1,"items":[[1,2]]}', 't')).toHaveProperty(
      'error',
    );
  });

  it('never throws on arbitrary text (property)', () => {
    fc.assert(fc.property(fc.string(), (s) => void decodeStateFile(s, 't')));
    fc.assert(fc.property(fc.jsonValue(), (v) => void decodeStateFile(JSON.stringify(v), 't')));
  });
});

describe('backoffDelay', () => {
  const config = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.2 };

  it('grows by the factor and stops at the maximum', () => {
    const delays = [0, 1, 2, 3, 6, 7, 50, 5000].map((n) => backoffDelay(n, config, () => 0));
    expect(delays).toEqual([500, 1000, 2000, 4000, 30_000, 30_000, 30_000, 30_000]);
    expect(backoffDelay('max', { ...config, factor: 1 }, () => 0)).toBe(30_000);
  });

  it('jitter only shortens, within the configured fraction (property)', () => {
    fc.assert(
      fc.property(
        fc.nat(100),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (n, r) => {
          const nominal = backoffDelay(n, config, () => 0);
          const d = backoffDelay(n, config, () => r);
          expect(d).toBeLessThanOrEqual(nominal);
          expect(d).toBeGreaterThanOrEqual(Math.floor(nominal * 0.8));
        },
      ),
    );
  });
});

describe('deepEqual', () => {
  it('compares JSON values structurally', () => {
    expect(deepEqual({ a: [1, { b: 2 }], c: null }, { c: null, a: [1, { b: 2 }] })).toBe(true);
    expect(deepEqual({ a: [1] }, { a: [1, 2] })).toBe(false);
    expect(deepEqual({ a: undefined }, { b: undefined })).toBe(false);
    expect(deepEqual([], {})).toBe(false);
    expect(deepEqual(null, {})).toBe(false);
  });
});
