import type { ChangeEvent, SnapshotEvent, StreamEvent } from './wire.ts';

/**
 * The sync client's pure half: which received events to apply, how a batch of them changes the
 * state and what SADM-style metadata it yields, the state file's format, the back-off curve.
 * No sockets, files, clock or logger here (see client.ts for the I/O).
 */

/** Which ids a batch created, updated or deleted (SADM's `apply_updates` metadata). */
export interface SyncMeta {
  created: string[];
  updated: string[];
  deleted: string[];
}

export interface BatchResult<R> {
  /** The new state: the map passed in, mutated, or a new map when the batch held a snapshot. */
  state: Map<string, R>;
  meta: SyncMeta;
  /** Revision of the batch's last event. */
  revision: number;
  snapshot: boolean;
  reset: boolean;
}

interface Touched<R> {
  existed: boolean;
  before: R | undefined;
  /** A create or update was received and no `watch` is given: reported even if equal (SADM). */
  forced: boolean;
}

/**
 * Applies admitted events in order and reports, per id, the net effect of the batch compared
 * with the state before it:
 * - absent before, present after → `created` (so a first snapshot reports every id created);
 * - present before, absent after → `deleted`;
 * - present before and after → `updated` when, without `watch`, any create or update of it was
 *   received (SADM: even an identical one) or a snapshot brought a different record; with
 *   `watch`, when a watched field differs (deep-equal) between the records before and after.
 * A batch of one change event therefore gives exactly SADM's per-message metadata.
 */
export function applyBatch<R>(
  current: Map<string, R>,
  events: readonly StreamEvent[],
  watch?: readonly (keyof R)[],
): BatchResult<R> {
  let state = current;
  const touched = new Map<string, Touched<R>>();
  const touch = (id: string): Touched<R> => {
    let t = touched.get(id);
    if (!t) {
      t = { existed: state.has(id), before: state.get(id), forced: false };
      touched.set(id, t);
    }
    return t;
  };
  let revision = 0;
  let snapshot = false;
  let reset = false;
  for (const event of events) {
    if (event.type === 'snapshot') {
      const next = new Map(event.data.items.map((item) => [item.id, item.record as R] as const));
      for (const id of state.keys()) touch(id);
      for (const id of next.keys()) touch(id);
      state = next;
      snapshot = true;
      reset ||= event.data.reset;
    } else {
      const change = event.data;
      const t = touch(change.id);
      if (change.op === 'delete') state.delete(change.id);
      else {
        if (watch === undefined) t.forced = true;
        state.set(change.id, change.record as R);
      }
    }
    revision = event.data.revision;
  }
  return { state, meta: metaOf(touched, state, watch), revision, snapshot, reset };
}

function metaOf<R>(
  touched: Map<string, Touched<R>>,
  state: Map<string, R>,
  watch: readonly (keyof R)[] | undefined,
): SyncMeta {
  const meta: SyncMeta = { created: [], updated: [], deleted: [] };
  for (const [id, t] of touched) {
    const exists = state.has(id);
    if (!t.existed && exists) meta.created.push(id);
    else if (t.existed && !exists) meta.deleted.push(id);
    else if (t.existed && (t.forced || differs(t.before, state.get(id), watch))) {
      meta.updated.push(id);
    }
  }
  return meta;
}

/** Whether two records differ, on the watched fields only when `watch` is given. */
export function differs<R>(
  a: R | undefined,
  b: R | undefined,
  watch?: readonly (keyof R)[],
): boolean {
  if (watch === undefined) return !deepEqual(a, b);
  const field = (r: R | undefined, f: keyof R): unknown =>
    r !== null && typeof r === 'object' ? r[f] : undefined;
  return watch.some((f) => !deepEqual(field(a, f), field(b, f)));
}

/** Structural equality of JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ob = b as Record<string, unknown>;
  const oa = a as Record<string, unknown>;
  return ka.every((k) => Object.hasOwn(ob, k) && deepEqual(oa[k], ob[k]));
}

/** What the SSE parser hands over: events, or the reason a block was unusable. */
export type ParsedEvent = StreamEvent | { type: 'error'; reason: string };

export interface AdmitContext {
  table: string;
  /** Revision of the state held, or null when the client holds no state yet. */
  revision: number | null;
}

/**
 * Filters parsed events down to those to apply, in order: drops changes already applied (a
 * revision at or below the held one), and stops at the first unusable event with its reason
 * (the caller reconnects and resumes after the last applied event, so nothing is skipped).
 */
export function admitEvents(
  parsed: readonly ParsedEvent[],
  context: AdmitContext,
): { events: StreamEvent[]; error?: string } {
  const events: StreamEvent[] = [];
  let revision = context.revision;
  for (const event of parsed) {
    if (event.type === 'error') return { events, error: event.reason };
    const problem = checkEvent(event, context.table);
    if (problem) return { events, error: problem };
    if (event.type === 'change') {
      if (revision === null) return { events, error: 'a change arrived before any snapshot' };
      if (event.data.revision <= revision) continue;
    }
    revision = event.data.revision;
    events.push(event);
  }
  return { events };
}

const OPS = new Set(['create', 'update', 'delete']);

/** Shape check of a decoded event: the wire is untrusted input. Null when usable. */
export function checkEvent(event: StreamEvent, table: string): string | null {
  const data = event.data as Partial<SnapshotEvent & ChangeEvent> | null;
  if (data === null || typeof data !== 'object') return `${event.type}: data is not an object`;
  if (!Number.isSafeInteger(data.revision) || (data.revision as number) < 0) {
    return `${event.type}: bad revision`;
  }
  if (data.table !== table)
    return `${event.type}: table "${String(data.table)}", expected "${table}"`;
  if (event.type === 'snapshot') {
    if (typeof data.reset !== 'boolean') return 'snapshot: reset is not a boolean';
    if (!Array.isArray(data.items)) return 'snapshot: items is not an array';
    const bad = data.items.findIndex(
      (item) => item === null || typeof item !== 'object' || typeof item.id !== 'string',
    );
    return bad === -1 ? null : `snapshot: item ${bad} has no string id`;
  }
  if (typeof data.id !== 'string') return 'change: id is not a string';
  if (typeof data.op !== 'string' || !OPS.has(data.op))
    return `change: bad op "${String(data.op)}"`;
  if (data.record === undefined) return 'change: record is missing';
  return null;
}

/** The state file: `{table, revision, items: [[id, record], ...]}`. */
export function encodeStateFile<R>(
  table: string,
  revision: number,
  state: ReadonlyMap<string, R>,
): string {
  return `${JSON.stringify({ table, revision, items: [...state] })}\n`;
}

export function decodeStateFile<R>(
  text: string,
  table: string,
): { revision: number; state: Map<string, R> } | { error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { error: 'not JSON' };
  }
  if (parsed === null || typeof parsed !== 'object') return { error: 'not an object' };
  const file = parsed as { table?: unknown; revision?: unknown; items?: unknown };
  if (file.table !== table) return { error: `table "${String(file.table)}", expected "${table}"` };
  if (!Number.isSafeInteger(file.revision) || (file.revision as number) < 0) {
    return { error: 'bad revision' };
  }
  if (!Array.isArray(file.items)) return { error: 'items is not an array' };
  const state = new Map<string, R>();
  for (const item of file.items) {
    if (!Array.isArray(item) || item.length !== 2 || typeof item[0] !== 'string') {
      return { error: 'an item is not [id, record]' };
    }
    state.set(item[0], item[1] as R);
  }
  return { revision: file.revision as number, state };
}

export interface BackoffConfig {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** Fraction by which a delay is randomly shortened (0.2: 80–100 % of the nominal delay). */
  jitter: number;
}

/**
 * Delay before reconnect attempt `attempt` (0-based): `initialMs·factor^attempt`, capped at
 * `maxMs`, shortened by up to `jitter` so that a crowd of subscribers spreads out. `'max'` is the
 * capped delay (refusals that only an operator can fix). Never above `maxMs`.
 */
export function backoffDelay(
  attempt: number | 'max',
  config: BackoffConfig,
  random: () => number = Math.random,
): number {
  const nominal =
    attempt === 'max'
      ? config.maxMs
      : Math.min(config.maxMs, config.initialMs * config.factor ** attempt);
  return Math.round(nominal * (1 - config.jitter * random()));
}

/** The log line for a refused stream request, with the server's `{"error": {code, message}}`. */
export function describeRefusal(status: number, statusText: string, body: string): string {
  let detail = statusText;
  try {
    const parsed = JSON.parse(body.slice(0, 4096)) as {
      error?: { code?: unknown; message?: unknown };
    };
    if (parsed?.error) detail = `${String(parsed.error.code)}: ${String(parsed.error.message)}`;
  } catch {
    // not the JSON error shape: the status text says enough
  }
  const what = status === 401 || status === 403 || status === 404 ? 'refused' : 'failed';
  return `the stream request ${what} with HTTP ${status} (${detail})`;
}

/** An error's message with its cause (undici's `fetch failed` hides the reason there). */
export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const cause = e.cause instanceof Error ? `: ${e.cause.message}` : '';
  return `${e.message}${cause}`;
}
