import { useEffect, useState } from 'react';
import { whileVisible } from '../streams/while-visible.ts';
import { parseModel, type StreamStatus, type UsermapModel } from './usermap.ts';

/** After a refusal (503: too many viewers, sso stopping), ask again this much later. */
const REOPEN_MS = 5000;

/**
 * The room map, live: the state first (`/usermap/state.json`), then every model the SSE stream
 * `/usermap/events` sends. EventSource reconnects by itself after a network error; a refused
 * stream (an HTTP error closes it for good) is opened again here. Meanwhile the status is "lost".
 */
export function useUsermap(): { model: UsermapModel | null; status: StreamStatus; error: string } {
  const [model, setModel] = useState<UsermapModel | null>(null);
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [error, setError] = useState('');
  useEffect(() => {
    let closed = false;
    let streamed = false;
    let events: EventSource | null = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    fetch('/usermap/state.json', { credentials: 'same-origin' })
      .then(async (r) => {
        if (!r.ok) throw new Error(`the room map answered HTTP ${r.status}`);
        const m = parseModel(await r.text());
        // The stream's first frame may already have come: it is as new or newer.
        if (!closed && m && !streamed) setModel(m);
      })
      .catch((e: Error) => !closed && setError(e.message));
    const open = () => {
      const source = new EventSource('/usermap/events');
      events = source;
      source.onopen = () => setStatus('live');
      source.onmessage = (event: MessageEvent<string>) => {
        const m = parseModel(event.data);
        if (!m) return;
        streamed = true;
        setModel(m);
        setStatus('live');
        setError('');
      };
      source.onerror = () => {
        setStatus('lost');
        if (source.readyState === EventSource.CLOSED && !closed) {
          timer = setTimeout(open, REOPEN_MS);
        }
      };
    };
    // The stream's first frame is the whole map: a tab shown again is up to date at once.
    const stop = whileVisible(() => {
      open();
      return () => {
        clearTimeout(timer);
        events?.close();
      };
    });
    return () => {
      closed = true;
      stop();
    };
  }, []);
  return { model, status, error };
}
