import { describe, expect, it } from 'vitest';
import {
  applyLocal,
  applyMessages,
  emptyKeyedList,
  type KeyedList,
  type StreamMessage,
} from './keyed-list.ts';

interface Rec {
  name: string;
  v: number;
}
const keyOf = (r: Rec) => r.name;
const applyMessage = (l: KeyedList<Rec>, m: StreamMessage<Rec>, key: typeof keyOf) =>
  applyMessages(l, [m], key);
const snapshot = (items: [string, Rec][], reset = false) =>
  ({
    type: 'snapshot',
    data: { revision: 1, table: 't', reset, items: items.map(([id, record]) => ({ id, record })) },
  }) as const;
const change = (id: string, op: 'create' | 'update' | 'delete', record: Rec) =>
  ({ type: 'change', data: { revision: 2, table: 't', id, op, record } }) as const;
const names = (l: KeyedList<Rec>) => l.items.map((r) => `${r.name}=${r.v}`).sort();

describe('a stream applied to a keyed list', () => {
  const start = applyMessage(
    emptyKeyedList<Rec>(),
    snapshot([
      ['1', { name: 'a', v: 1 }],
      ['2', { name: 'b', v: 1 }],
    ]),
    keyOf,
  );

  it('a snapshot replaces everything, a reset one too', () => {
    expect(names(start)).toEqual(['a=1', 'b=1']);
    const reset = applyMessage(start, snapshot([['3', { name: 'c', v: 1 }]], true), keyOf);
    expect(names(reset)).toEqual(['c=1']);
    expect([...reset.keys]).toEqual([['3', 'c']]);
  });

  it('creates, updates and deletes one row', () => {
    let l = applyMessage(start, change('3', 'create', { name: 'c', v: 1 }), keyOf);
    l = applyMessage(l, change('1', 'update', { name: 'a', v: 2 }), keyOf);
    l = applyMessage(l, change('2', 'delete', { name: 'b', v: 1 }), keyOf);
    expect(names(l)).toEqual(['a=2', 'c=1']);
    expect(l.keys.has('2')).toBe(false);
  });

  it('a rename replaces the old row: the change only names the id', () => {
    const l = applyMessage(start, change('1', 'update', { name: 'z', v: 2 }), keyOf);
    expect(names(l)).toEqual(['b=1', 'z=2']);
    expect(l.keys.get('1')).toBe('z');
  });

  it("the page's own write and the stream's change agree in either order", () => {
    const renamed = { name: 'z', v: 2 };
    const localFirst = applyMessage(
      applyLocal(start, 'a', renamed, keyOf),
      change('1', 'update', renamed),
      keyOf,
    );
    const streamFirst = applyLocal(
      applyMessage(start, change('1', 'update', renamed), keyOf),
      'a',
      renamed,
      keyOf,
    );
    expect(names(localFirst)).toEqual(['b=1', 'z=2']);
    expect(names(streamFirst)).toEqual(['b=1', 'z=2']);
    const deleted = applyMessage(
      applyLocal(start, 'b', null, keyOf),
      change('2', 'delete', { name: 'b', v: 1 }),
      keyOf,
    );
    expect(names(deleted)).toEqual(['a=1']);
  });

  it('a row created by the page shows once even before its id is known', () => {
    const mine = { name: 'c', v: 1 };
    const l = applyMessage(
      applyLocal(start, null, mine, keyOf),
      change('3', 'create', mine),
      keyOf,
    );
    expect(names(l)).toEqual(['a=1', 'b=1', 'c=1']);
  });

  it('a batch gives what its messages give one by one, a snapshot inside it included', () => {
    const batch = [
      change('3', 'create', { name: 'c', v: 1 }),
      change('1', 'update', { name: 'z', v: 2 }),
      change('3', 'delete', { name: 'c', v: 1 }),
      snapshot([['7', { name: 'q', v: 1 }]], true),
      change('8', 'create', { name: 'r', v: 1 }),
      change('7', 'update', { name: 'q', v: 3 }),
    ] as const;
    const oneByOne = batch.reduce((l, m) => applyMessage(l, m, keyOf), start);
    const together = applyMessages(start, batch, keyOf);
    expect(names(together)).toEqual(['q=3', 'r=1']);
    expect(names(together)).toEqual(names(oneByOne));
    expect([...together.keys].sort()).toEqual([...oneByOne.keys].sort());
  });
});
