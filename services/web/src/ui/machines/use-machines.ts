import type { Machine } from '@lanctl/model';
import { useCallback, useEffect, useRef, useState } from 'react';
import { listMachines } from '../api.ts';
import {
  applyLocal,
  applyMessage,
  emptyKeyedList,
  type KeyedList,
  type StreamMessage,
} from '../streams/keyed-list.ts';
import { type StreamState, useTableStream } from '../streams/use-table-stream.ts';

const hostnameOf = (m: Machine) => m.hostname;

/**
 * Every machine, from mdb's `machines` stream: the snapshot is the first load, then every
 * change (another root's edit, a machine registering at boot) shows as it happens. The page's
 * own writes show at once (`replace`); the stream's echo of them agrees. If the stream is refused
 * before its first snapshot, the list is read once from the API so the page is not empty.
 */
export function useMachines() {
  const [list, setList] = useState<KeyedList<Machine> | null>(null);
  const [error, setError] = useState('');
  const state: StreamState = useTableStream<Machine>(
    'machines',
    (message: StreamMessage<Machine>) =>
      setList((l) => applyMessage(l ?? emptyKeyedList(), message, hostnameOf)),
  );
  const fellBack = useRef(false);
  useEffect(() => {
    if (state !== 'reconnecting' || list !== null || fellBack.current) return;
    fellBack.current = true;
    listMachines()
      .then((items) => setList((l) => l ?? { items, keys: new Map() }))
      .catch((e: Error) => setError(e.message));
  }, [state, list]);
  /** The machine named `before` (null: a new one) is now `after` (null: deleted). */
  const replace = useCallback((before: string | null, after: Machine | null) => {
    setList((l) => applyLocal(l ?? emptyKeyedList(), before, after, hostnameOf));
  }, []);
  return { machines: list?.items ?? null, state, error, setError, replace };
}
