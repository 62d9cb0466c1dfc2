import { useEffect, useRef, useState } from 'react';
import { followTable, type StreamState } from './channel.ts';
import type { StreamMessage } from './keyed-list.ts';

export type { StreamState } from './channel.ts';

/**
 * Follows a table's stream (shared by every view of the page that follows it: `channel.ts`) and
 * hands every message to `onMessage`: first the table so far as a snapshot, then the changes.
 */
export function useTableStream<R>(
  /** null: follow nothing (the state stays `connecting`). */
  table: string | null,
  onMessage: (message: StreamMessage<R>) => void,
): StreamState {
  const [state, setState] = useState<StreamState>('connecting');
  const handler = useRef(onMessage);
  handler.current = onMessage;
  useEffect(() => {
    if (table === null) return;
    return followTable(table, {
      message: (m) => handler.current(m as StreamMessage<R>),
      state: setState,
    });
  }, [table]);
  return state;
}

/**
 * For views that show what the API computes (a pool's use, a setting's time left) rather than
 * the stream's records: `reload` runs `everyMs` after a message, and at most once per `everyMs`
 * while changes keep coming (300 machines registering at 8 am are a few reloads, not 300; a
 * steady flow never starves it as a debounce would). The first snapshot counts too: a change
 * made between the view's first load and the stream's opening is not missed.
 */
export function useReloadOnChange(
  table: string | null,
  reload: () => void,
  everyMs = 250,
): StreamState {
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const latest = useRef(reload);
  latest.current = reload;
  useEffect(() => () => clearTimeout(timer.current), []);
  return useTableStream(table, () => {
    if (timer.current !== undefined) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      latest.current();
    }, everyMs);
  });
}
