/**
 * A sync stream (packages/sync wire.ts: `snapshot` and `change` events, each row by its internal
 * id) applied to a list the page keys by a visible name (a machine's hostname, a user's login).
 * The id → name map is what lets a rename replace the old row: the change only carries the id
 * and the new record. Pure, so the page's own writes and the stream's can be merged in any order.
 */

export interface StreamSnapshot<R> {
  revision: number;
  table: string;
  reset: boolean;
  items: { id: string; record: R }[];
}

export interface StreamChange<R> {
  revision: number;
  table: string;
  id: string;
  op: 'create' | 'update' | 'delete';
  record: R;
}

export type StreamMessage<R> =
  | { type: 'snapshot'; data: StreamSnapshot<R> }
  | { type: 'change'; data: StreamChange<R> };

export interface KeyedList<R> {
  items: R[];
  /** The stream's id of each row, to its key. */
  keys: ReadonlyMap<string, string>;
}

export const emptyKeyedList = <R>(): KeyedList<R> => ({ items: [], keys: new Map() });

/**
 * The list after stream messages in order: a snapshot replaces it whole, a change one row. A
 * burst (300 machines registering) is applied in one pass over the list, not one copy per change.
 */
export function applyMessages<R>(
  list: KeyedList<R>,
  messages: readonly StreamMessage<R>[],
  keyOf: (record: R) => string,
): KeyedList<R> {
  let rows = new Map(list.items.map((r) => [keyOf(r), r]));
  let keys = new Map(list.keys);
  for (const message of messages) {
    if (message.type === 'snapshot') {
      rows = new Map(message.data.items.map((i) => [keyOf(i.record), i.record]));
      keys = new Map(message.data.items.map((i) => [i.id, keyOf(i.record)]));
      continue;
    }
    const { id, op, record } = message.data;
    const before = keys.get(id);
    if (before !== undefined) rows.delete(before);
    rows.delete(keyOf(record));
    if (op === 'delete') keys.delete(id);
    else {
      keys.set(id, keyOf(record));
      rows.set(keyOf(record), record);
    }
  }
  return { items: [...rows.values()], keys };
}

/**
 * The list after the page's own write (its answer arrives before the stream's change): the row
 * named `before` is replaced by `after`, or removed. The stream's change, when it comes, agrees.
 */
export function applyLocal<R>(
  list: KeyedList<R>,
  before: string | null,
  after: R | null,
  keyOf: (record: R) => string,
): KeyedList<R> {
  const gone = new Set<string>();
  if (before !== null) gone.add(before);
  if (after) gone.add(keyOf(after));
  const items = list.items.filter((r) => !gone.has(keyOf(r)));
  if (after) items.push(after);
  return { items, keys: list.keys };
}
