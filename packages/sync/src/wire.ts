import type { ChangeOp } from './log.ts';

/**
 * The native stream's wire format (Server-Sent Events), shared by the owner's stream server,
 * the relay and the resuming client. Each event's SSE `id` is its revision.
 *
 *   id: 42                 event: snapshot   data: {"revision":42,"table":"machines","reset":false,"items":[...]}
 *   id: 43                 event: change     data: {"revision":43,"table":"machines","id":"..","op":"update","record":{...}}
 *   : keep-alive
 */
export interface SnapshotItem<R = unknown> {
  /** The row's immutable internal id. */
  id: string;
  record: R;
}

export interface SnapshotEvent<R = unknown> {
  revision: number;
  table: string;
  /**
   * True when the subscriber asked to resume from a revision the server can no longer replay
   * (log compacted, relay restarted): the snapshot replaces its whole state.
   */
  reset: boolean;
  items: SnapshotItem<R>[];
}

export interface ChangeEvent<R = unknown> {
  revision: number;
  table: string;
  id: string;
  op: ChangeOp;
  /** The record after the change; for a delete, the record as it was. */
  record: R;
}

export type StreamEvent =
  | { type: 'snapshot'; data: SnapshotEvent }
  | { type: 'change'; data: ChangeEvent };

export function encodeSnapshot(event: SnapshotEvent): string {
  return `id: ${event.revision}\nevent: snapshot\ndata: ${JSON.stringify(event)}\n\n`;
}

export function encodeChange(event: ChangeEvent): string {
  return `id: ${event.revision}\nevent: change\ndata: ${JSON.stringify(event)}\n\n`;
}

export const KEEP_ALIVE = ': keep-alive\n\n';

/**
 * Incremental SSE parser: feed text chunks, get complete events. Comments are ignored; an
 * event without a known type or with unparsable data is reported as an error string.
 */
export class SseParser {
  private buffer = '';
  /** Where to resume looking for a blank line: a big snapshot arrives in many chunks. */
  private scanned = 0;

  push(chunk: string): (StreamEvent | { type: 'error'; reason: string })[] {
    this.buffer += chunk;
    const out: (StreamEvent | { type: 'error'; reason: string })[] = [];
    let start = 0;
    let end = this.buffer.indexOf('\n\n', Math.max(0, this.scanned - 1));
    while (end !== -1) {
      const event = parseBlock(this.buffer.slice(start, end));
      if (event) out.push(event);
      start = end + 2;
      end = this.buffer.indexOf('\n\n', start);
    }
    this.buffer = this.buffer.slice(start);
    this.scanned = this.buffer.length;
    return out;
  }
}

function parseBlock(block: string): StreamEvent | { type: 'error'; reason: string } | null {
  let type = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') type = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0) return null;
  if (type !== 'snapshot' && type !== 'change')
    return { type: 'error', reason: `unknown event type "${type}"` };
  try {
    return { type, data: JSON.parse(data.join('\n')) } as StreamEvent;
  } catch {
    return { type: 'error', reason: `event ${type}: data is not JSON` };
  }
}
