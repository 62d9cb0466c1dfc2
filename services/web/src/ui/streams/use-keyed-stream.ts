import { useCallback, useEffect, useRef, useState } from 'react';
import { applyLocal, applyMessage, emptyKeyedList, type KeyedList } from './keyed-list.ts';
import { type StreamState, useTableStream } from './use-table-stream.ts';

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
  const state: StreamState = useTableStream<R>(table, (message) =>
    setList((l) => applyMessage(l ?? emptyKeyedList(), message, keyOf)),
  );
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
  /** The record keyed `before` (null: a new one) is now `after` (null: deleted). */
  const replace = useCallback(
    (before: string | null, after: R | null) =>
      setList((l) => applyLocal(l ?? emptyKeyedList(), before, after, keyOf)),
    [keyOf],
  );
  return { items: list?.items ?? null, state, error, setError, replace };
}
