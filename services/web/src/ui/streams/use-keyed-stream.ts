import { useCallback, useEffect, useRef, useState } from 'react';
import {
  applyLocal,
  applyMessages,
  emptyKeyedList,
  type KeyedList,
  type StreamMessage,
} from './keyed-list.ts';
import { type StreamState, useTableStream } from './use-table-stream.ts';

/** The longest a change waits before it is drawn. */
const BATCH_MS = 50;

/**
 * A whole table followed from its owner's stream: the snapshot is the first load, then every
 * change (another person's edit, a machine registering at boot) shows as it happens. The page's
 * own writes show at once (`replace`); the stream's echo of them agrees. If the stream is refused
 * before its first snapshot, `load` reads the table once from the API so the page is not empty.
 */
export function useKeyedStream<R>(
  table: string,
  keyOf: (record: R) => string,
  load: () => Promise<R[]>,
) {
  const [list, setList] = useState<KeyedList<R> | null>(null);
  const [error, setError] = useState('');
  // Messages are applied in batches, at most every BATCH_MS: a burst is one render, not 300.
  const pending = useRef<StreamMessage<R>[]>([]);
  const flush = useRef<ReturnType<typeof setTimeout>>(undefined);
  useEffect(() => () => clearTimeout(flush.current), []);
  const state: StreamState = useTableStream<R>(table, (message) => {
    pending.current.push(message);
    flush.current ??= setTimeout(() => {
      flush.current = undefined;
      const batch = pending.current;
      pending.current = [];
      setList((l) => applyMessages(l ?? emptyKeyedList(), batch, keyOf));
      // A snapshot is the whole table: an earlier failure to load it is over.
      if (batch.some((m) => m.type === 'snapshot')) setError('');
    }, BATCH_MS);
  });
  const fellBack = useRef(false);
  const latestLoad = useRef(load);
  latestLoad.current = load;
  useEffect(() => {
    if (state !== 'reconnecting' || list !== null || fellBack.current) return;
    fellBack.current = true;
    latestLoad
      .current()
      .then((items) => setList((l) => l ?? { items, keys: new Map() }))
      .catch((e: Error) => setError(e.message));
  }, [state, list]);
  /**
   * Reads the table from the API when the stream is not live (after an import: the stream would
   * have brought the new rows); a live stream needs nothing.
   */
  const refreshIfNotLive = useCallback(() => {
    if (state === 'live') return;
    latestLoad
      .current()
      .then((items) => setList((l) => ({ items, keys: l?.keys ?? new Map() })))
      .catch((e: Error) => setError(e.message));
  }, [state]);
  /** The record keyed `before` (null: a new one) is now `after` (null: deleted). */
  const replace = useCallback(
    (before: string | null, after: R | null) =>
      setList((l) => applyLocal(l ?? emptyKeyedList(), before, after, keyOf)),
    [keyOf],
  );
  return { items: list?.items ?? null, state, error, setError, replace, refreshIfNotLive };
}
