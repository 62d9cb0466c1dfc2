import { LOGGED_IN_EVENT, whoami } from '../api.ts';
import type { StreamMessage } from './keyed-list.ts';
import { whileVisible } from './while-visible.ts';

/**
 * `connecting`: no answer yet; `live`: the stream is open; `reconnecting`: it dropped, the page
 * shows its last state and tries again.
 */
export type StreamState = 'connecting' | 'live' | 'reconnecting';

export interface ChannelListener {
  message(message: StreamMessage<unknown>): void;
  state(state: StreamState): void;
}

/** The longest wait between two tries after the stream was refused (a restart, a proxy error). */
const MAX_RETRY_MS = 30_000;
/**
 * A table nobody follows any more stays open this long (going back to the list reuses it), and
 * only one at a time: every open stream holds one of the six connections the browser allows
 * this origin, for all its tabs together.
 */
const LINGER_MS = 30_000;

/**
 * One stream per table for the whole page, shared by every view that follows it, holding the
 * table as the stream gave it (by the stream's ids): the machines list, a machine's page, the
 * boot board and the pools all follow `machines`, and a snapshot of 10,000 machines (~3 MB) is
 * downloaded once, not at every navigation. A view that joins gets the table so far as a
 * snapshot, then the changes.
 */
interface Channel {
  listeners: Set<ChannelListener>;
  state: StreamState;
  /** The table by the stream's ids, once its first snapshot came. */
  rows: Map<string, unknown> | null;
  revision: number | null;
  stop: () => void;
  linger?: ReturnType<typeof setTimeout>;
}

const channels = new Map<string, Channel>();

/** Follows `table`; the returned function stops (the stream closes a while after the last). */
export function followTable(table: string, listener: ChannelListener): () => void {
  let channel = channels.get(table);
  if (!channel) {
    channel = openChannel(table);
    channels.set(table, channel);
  }
  const joined = channel;
  clearTimeout(joined.linger);
  joined.listeners.add(listener);
  listener.state(joined.state);
  if (joined.rows) listener.message(snapshotOf(table, joined));
  return () => {
    joined.listeners.delete(listener);
    if (joined.listeners.size > 0) return;
    for (const [name, other] of channels) {
      if (other !== joined && other.listeners.size === 0) close(name, other);
    }
    joined.linger = setTimeout(() => close(table, joined), LINGER_MS);
  };
}

function close(table: string, channel: Channel): void {
  clearTimeout(channel.linger);
  channel.stop();
  if (channels.get(table) === channel) channels.delete(table);
}

function snapshotOf(table: string, channel: Channel): StreamMessage<unknown> {
  const items = [...channel.rows!].map(([id, record]) => ({ id, record }));
  return { type: 'snapshot', data: { revision: channel.revision!, table, reset: false, items } };
}

function openChannel(table: string): Channel {
  const channel: Channel = {
    listeners: new Set(),
    state: 'connecting',
    rows: null,
    revision: null,
    stop: () => {},
  };
  const setState = (state: StreamState) => {
    channel.state = state;
    for (const l of channel.listeners) l.state(state);
  };
  const receive = (message: StreamMessage<unknown>) => {
    const { data } = message;
    channel.revision = data.revision;
    if (message.type === 'snapshot') {
      channel.rows = new Map(message.data.items.map((i) => [i.id, i.record]));
    } else if (message.data.op === 'delete') channel.rows?.delete(message.data.id);
    else channel.rows?.set(message.data.id, message.data.record);
    for (const l of channel.listeners) l.message(message);
  };
  // Kept while the page is hidden: shown again, the stream resumes where it stopped.
  channel.stop = whileVisible(() => connect(table, () => channel.revision, receive, setState));
  return channel;
}

/**
 * `GET /api/v1/sync/<table>` (the owner's SSE stream, the session cookie as the token). A
 * dropped connection is resumed by the browser with `Last-Event-ID`; a refused one (the service
 * restarting, 502; the session over, 401) is opened again from the last revision seen with
 * `?since=`, after 1 s doubling to 30 s (at once after a login), and the session is checked so
 * that an ended one asks for a login again.
 */
function connect(
  table: string,
  since: () => number | null,
  receive: (message: StreamMessage<unknown>) => void,
  setState: (state: StreamState) => void,
): () => void {
  let source: EventSource | null = null;
  let retryMs = 1000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const on = (type: 'snapshot' | 'change') => (event: MessageEvent<string>) =>
    receive({ type, data: JSON.parse(event.data) } as StreamMessage<unknown>);
  const open = () => {
    const from = since();
    source = new EventSource(
      `/api/v1/sync/${encodeURIComponent(table)}${from === null ? '' : `?since=${from}`}`,
    );
    source.onopen = () => {
      retryMs = 1000;
      setState('live');
    };
    source.addEventListener('snapshot', on('snapshot'));
    source.addEventListener('change', on('change'));
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
}
