import { useEffect, useRef, useState } from 'react';
import { LOGGED_IN_EVENT, whoami } from '../api.ts';
import type { StreamMessage } from './keyed-list.ts';
import { whileVisible } from './while-visible.ts';

/**
 * `connecting`: no answer yet; `live`: the stream is open; `reconnecting`: it dropped, the page
 * shows its last state and tries again.
 */
export type StreamState = 'connecting' | 'live' | 'reconnecting';

/** The longest wait between two tries after the stream was refused (a restart, a proxy error). */
const MAX_RETRY_MS = 30_000;

/**
 * Follows `GET /api/v1/sync/<table>` (the owner's SSE stream, the session cookie as the token)
 * and hands every message to `onMessage`. A dropped connection is resumed by the browser with
 * `Last-Event-ID`; a refused one (the service restarting, 502; the session over, 401) is opened
 * again from the last revision seen with `?since=`, after 1 s doubling to 30 s, and the session
 * is checked so that an ended one asks for a login again. A hidden page closes its stream and
 * resumes it when shown again (`whileVisible`).
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
    // Kept while the page is hidden: shown again, it resumes where it stopped.
    let since: number | null = null;
    const receive = (type: 'snapshot' | 'change') => (event: MessageEvent<string>) => {
      const data = JSON.parse(event.data);
      since = data.revision;
      handler.current({ type, data } as StreamMessage<R>);
    };
    return whileVisible(() => {
      let source: EventSource | null = null;
      let retryMs = 1000;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const open = () => {
        const query = since === null ? '' : `?since=${since}`;
        source = new EventSource(`/api/v1/sync/${encodeURIComponent(table)}${query}`);
        source.onopen = () => {
          retryMs = 1000;
          setState('live');
        };
        source.addEventListener('snapshot', receive('snapshot'));
        source.addEventListener('change', receive('change'));
        source.onerror = () => {
          setState('reconnecting');
          // Still CONNECTING: the browser retries by itself with Last-Event-ID.
          if (source?.readyState !== EventSource.CLOSED) return;
          source.close();
          whoami().catch(() => {});
          timer = setTimeout(open, retryMs);
          retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
        };
      };
      // Logged in again (the session had ended): a refused stream need not wait out its backoff.
      const retryNow = () => {
        if (source?.readyState !== EventSource.CLOSED) return;
        clearTimeout(timer);
        retryMs = 1000;
        open();
      };
      window.addEventListener(LOGGED_IN_EVENT, retryNow);
      open();
      return () => {
        window.removeEventListener(LOGGED_IN_EVENT, retryNow);
        clearTimeout(timer);
        source?.close();
      };
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
