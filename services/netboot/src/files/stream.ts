import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FileTransfer } from './options.ts';
import { openResolved } from './path.ts';
import { contentTypeOf, type Plan, planResponse, type Validators, validatorsOf } from './plan.ts';
import { type BufferPool, pump } from './pump.ts';
import { sendError } from './reply.ts';
import type { Slots } from './slots.ts';

/** The parts of a FileTransfer known before the file is served. */
export interface Transfer {
  at: number;
  ip: string;
  server: string;
  path: string;
  range: string | null;
  size: number | null;
}

export interface StreamSettings {
  largeBytes: number;
  queueTimeoutMs: number;
  pool: BufferPool;
  retryAfterSeconds: number;
  now: () => number;
}

export type Served = Pick<FileTransfer, 'status' | 'bytes' | 'queued_ms' | 'outcome'> & {
  size: number;
  /** Set when the transfer asked for a slot (a large body): its queued_ms is a queue wait. */
  slotted?: true;
};

type Found = { real: string; stats: Stats };

const sameFile = (a: Stats, b: Stats) =>
  a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;

function validatorHeaders(res: ServerResponse, v: Validators): void {
  res.setHeader('ETag', v.etag);
  res.setHeader('Last-Modified', v.lastModified);
  res.setHeader('Cache-Control', 'public, max-age=60, must-revalidate');
  res.setHeader('Accept-Ranges', 'bytes');
}

/** Answers a plan without a body (304, 412, 416, HEAD); null when the plan needs the file. */
function answerWithoutBody(
  res: ServerResponse,
  plan: Plan,
  stats: Stats,
  v: Validators,
  method: 'GET' | 'HEAD',
  path: string,
): Served | null {
  const base = { bytes: 0, queued_ms: 0, size: stats.size };
  validatorHeaders(res, v);
  if (plan.status === 304 || plan.status === 412) {
    res.statusCode = plan.status;
    res.end();
    return { ...base, status: plan.status, outcome: 'done' };
  }
  if (plan.status === 416) {
    res.setHeader('Content-Range', `bytes */${stats.size}`);
    sendError(res, 416, 'range_not_satisfiable', `no byte of the range is within ${stats.size}`);
    return { ...base, status: 416, outcome: 'bad-range' };
  }
  if (method === 'HEAD' || plan.length === 0) {
    bodyHeaders(res, plan, stats.size, path);
    res.end();
    return { ...base, status: plan.status, outcome: 'done' };
  }
  return null;
}

function bodyHeaders(
  res: ServerResponse,
  plan: Plan & { status: 200 | 206 },
  size: number,
  path: string,
): void {
  res.statusCode = plan.status;
  res.setHeader('Content-Type', contentTypeOf(path));
  res.setHeader('Content-Length', plan.length);
  if (plan.status === 206)
    res.setHeader('Content-Range', `bytes ${plan.start}-${plan.end}/${size}`);
}

/**
 * Serves an existing regular file: plans from its stat, waits for a slot when the body is
 * large, opens it (O_NOFOLLOW), re-plans if it changed meanwhile, then streams with
 * back-pressure. The slot is released exactly once and the file closed on every path.
 */
export async function streamFile(
  s: StreamSettings,
  slots: Slots,
  req: IncomingMessage,
  res: ServerResponse,
  found: Found,
  method: 'GET' | 'HEAD',
): Promise<Served> {
  const path = found.real;
  const headers = req.headers;
  let stats = found.stats;
  let v = validatorsOf(stats);
  let plan = planResponse(method, headers, stats, v);
  const quick = answerWithoutBody(res, plan, stats, v, method, path);
  if (quick) return quick;
  let release = () => {};
  let queuedMs = 0;
  if (plan.status === 200 || plan.status === 206) {
    if (plan.length >= s.largeBytes) {
      const got = await waitForSlot(s, slots, res);
      queuedMs = got.waitedMs;
      const slotted = { queued_ms: queuedMs, size: stats.size, slotted: true } as const;
      if (!got.ok) return { ...refusal(s, res, got.reason), ...slotted };
      release = got.release;
    }
  }
  let handle: FileHandle | undefined;
  try {
    handle = await openResolved(path);
    const now = await handle.stat();
    if (!sameFile(now, stats)) {
      stats = now;
      v = validatorsOf(stats);
      plan = planResponse(method, headers, stats, v);
      const changed = answerWithoutBody(res, plan, stats, v, method, path);
      if (changed) {
        await handle.close();
        release();
        return { ...changed, queued_ms: queuedMs };
      }
    }
  } catch {
    await handle?.close().catch(() => {});
    release();
    sendError(res, 404, 'not_found', 'file vanished');
    return { status: 404, bytes: 0, queued_ms: queuedMs, size: stats.size, outcome: 'not-found' };
  }
  if (plan.status !== 200 && plan.status !== 206) throw new Error('unreachable plan');
  bodyHeaders(res, plan, stats.size, path);
  const result = await send(s, handle, res, plan);
  const slotted = plan.length >= s.largeBytes ? ({ slotted: true } as const) : {};
  release();
  return { ...result, queued_ms: queuedMs, size: stats.size, ...slotted };
}

async function waitForSlot(s: StreamSettings, slots: Slots, res: ServerResponse) {
  const abort = new AbortController();
  const onClose = () => abort.abort();
  res.once('close', onClose);
  const got = await slots.acquire(s.queueTimeoutMs, abort.signal);
  res.off('close', onClose);
  if (got.ok && (res.destroyed || res.writableEnded)) {
    got.release();
    return { ok: false as const, reason: 'aborted' as const, waitedMs: got.waitedMs };
  }
  return got;
}

function refusal(
  s: StreamSettings,
  res: ServerResponse,
  reason: 'queue-full' | 'queue-timeout' | 'aborted',
): Omit<Served, 'queued_ms' | 'size'> {
  if (reason === 'aborted') return { status: 499, bytes: 0, outcome: 'aborted' };
  res.removeHeader('ETag');
  res.removeHeader('Last-Modified');
  res.setHeader('Retry-After', String(s.retryAfterSeconds));
  const why = reason === 'queue-full' ? 'too many transfers waiting' : 'waited too long for a slot';
  sendError(res, 503, 'busy', `boot file server busy: ${why}, retry later`);
  return { status: 503, bytes: 0, outcome: reason };
}

/** Streams [start, end] with back-pressure, then closes the file and, if short, the socket. */
async function send(
  s: StreamSettings,
  handle: FileHandle,
  res: ServerResponse,
  plan: { start: number; end: number; length: number; status: 200 | 206 },
): Promise<Omit<Served, 'queued_ms' | 'size'>> {
  const result = await pump(handle, res, plan.start, plan.length, s.pool);
  await handle.close().catch(() => {});
  if (result.complete) return { status: plan.status, bytes: plan.length, outcome: 'done' };
  // A body short of its Content-Length (client gone, file truncated, read error): drop it.
  res.destroy();
  return { status: plan.status, bytes: result.bytes, outcome: 'aborted' };
}
