import type { Logger } from '@lanctl/core';
import {
  DecodeError,
  decode,
  encode,
  parseQuery,
  patchResponse,
  type QuickQuery,
  Rcode,
  udpLimit,
} from '@lanctl/dns-wire';
import type { Cidr } from '@lanctl/model';
import type { ZoneIndex } from './authority.ts';
import type { Forwarder } from './forwarder.ts';
import type { AnswerMetrics, DropReason } from './metrics.ts';
import { type ClientInfo, classify, decide, errorTemplate } from './policy.ts';

export type Transport = 'udp' | 'tcp';
export type Reply = Uint8Array | null | Promise<Uint8Array | null>;

export interface ResponderDeps {
  index: () => ZoneIndex;
  allow: Cidr[];
  forwarder: Forwarder | null;
  metrics: AnswerMetrics;
  logger: Logger;
  udpSize: number;
}

/** Logs the first occurrence of each reason, then one in 1000 (a flood must not flood the log). */
function limitedLog(logger: Logger) {
  const seen = new Map<string, number>();
  return (reason: string, fields: Record<string, unknown>) => {
    const n = (seen.get(reason) ?? 0) + 1;
    seen.set(reason, n);
    if (n === 1 || n % 1000 === 0) logger.warn('bad packet', { reason, occurrences: n, ...fields });
  };
}

/** FORMERR with no question: the header of a query we could not read (RFC 1035 §4.1.1). */
function formerr(query: Uint8Array): Uint8Array {
  const out = new Uint8Array(12);
  out[0] = query[0] as number;
  out[1] = query[1] as number;
  out[2] = 0x80 | ((query[2] as number) & 0x79);
  out[3] = Rcode.FORMERR;
  return out;
}

interface Ctx {
  deps: ResponderDeps;
  clients: Map<string, ClientInfo>;
  bad: ReturnType<typeof limitedLog>;
}

function drop(ctx: Ctx, reason: DropReason, address: string, detail?: string): null {
  ctx.deps.metrics.drop(reason);
  ctx.bad(reason, { client: address, detail });
  return null;
}

/** The client's view and rights, cached by address (bounded). */
function client(ctx: Ctx, address: string, index: ZoneIndex): ClientInfo {
  let c = ctx.clients.get(address);
  if (!c) {
    if (ctx.clients.size >= 10_000) ctx.clients.clear();
    c = classify(address, index, ctx.deps.allow);
    ctx.clients.set(address, c);
  }
  return c;
}

type Slow = { q: QuickQuery; bytes: Uint8Array } | Uint8Array | null;

/** A query the fast parser refused: decode fully, FORMERR or drop, or rebuild a plain one. */
function slowPath(ctx: Ctx, query: Uint8Array, address: string, transport: Transport): Slow {
  if (query.length < 12) return drop(ctx, 'too-short', address, `${query.length} bytes`);
  if ((query[2] as number) & 0x80) return drop(ctx, 'response', address);
  const m = decode(query);
  if (m instanceof DecodeError || m.questions.length !== 1 || m.answers.length > 0) {
    const detail =
      m instanceof DecodeError
        ? m.message
        : `${m.questions.length} questions, ${m.answers.length} answers`;
    ctx.bad('formerr', { client: address, detail });
    ctx.deps.metrics.query('normal', 0, Rcode.FORMERR, transport);
    return formerr(query);
  }
  const bytes = encode({ ...m, authorities: [], additionals: [] });
  const q = parseQuery(bytes);
  if (!q) return drop(ctx, 'malformed', address, 'question not re-readable');
  return { q, bytes };
}

interface Asked {
  query: Uint8Array;
  q: QuickQuery;
  client: ClientInfo;
  limit: number;
  transport: Transport;
}

function finish(ctx: Ctx, template: Uint8Array, a: Asked, extendedRcode?: number): Uint8Array {
  const udpSize = ctx.deps.udpSize;
  return patchResponse(template, a.query, a.q, { limit: a.limit, udpSize, extendedRcode });
}

async function forwarded(ctx: Ctx, forwarder: Forwarder, a: Asked): Promise<Uint8Array> {
  const { metrics } = ctx.deps;
  const r = await forwarder.forward(a.q);
  if (r.kind === 'failed') {
    metrics.forwarded(r.reason);
    metrics.query(a.client.view, a.q.qtype, Rcode.SERVFAIL, a.transport);
    return finish(ctx, errorTemplate(a.q, Rcode.SERVFAIL, true), a);
  }
  if (r.cached) metrics.cacheHit();
  else metrics.forwarded('answer');
  metrics.query(a.client.view, a.q.qtype, r.rcode, a.transport);
  return finish(ctx, r.template, a);
}

/** The reply to `input` from `address`, or null to drop it. */
function respond(ctx: Ctx, input: Uint8Array, address: string, transport: Transport): Reply {
  const { deps } = ctx;
  let query = input;
  let q = parseQuery(query);
  if (!q) {
    const slow = slowPath(ctx, query, address, transport);
    if (slow === null || slow instanceof Uint8Array) return slow;
    ({ q, bytes: query } = slow);
  }
  const index = deps.index();
  const c = client(ctx, address, index);
  const limit = transport === 'tcp' ? 65535 : udpLimit(q, deps.udpSize);
  const asked: Asked = { query, q, client: c, limit, transport };
  try {
    const d = decide(q, c, { index, recursion: deps.forwarder !== null });
    if (d.kind === 'forward' && deps.forwarder) return forwarded(ctx, deps.forwarder, asked);
    if (d.kind === 'forward') return drop(ctx, 'encode-failed', address, 'no forwarder');
    deps.metrics.query(c.view, q.qtype, d.rcode, transport);
    return finish(ctx, d.template, asked, d.extendedRcode);
  } catch (e) {
    return drop(ctx, 'encode-failed', address, (e as Error).message);
  }
}

/**
 * Bytes in, bytes out (or nothing): the fast path for plain queries, the full decoder for the
 * rest, the policy in between (policy.ts), forwarding for names outside our zones.
 */
export function createResponder(deps: ResponderDeps) {
  const ctx: Ctx = { deps, clients: new Map(), bad: limitedLog(deps.logger) };
  return {
    respond: (input: Uint8Array, address: string, transport: Transport): Reply =>
      respond(ctx, input, address, transport),
  };
}

export type Responder = ReturnType<typeof createResponder>;
