import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import {
  type DnsMessage,
  type DnsRecord,
  decode,
  emptyFlags,
  encode,
  isDecodeError,
  lowerName,
  parseUpstream,
  type QuickQuery,
  Rcode,
  RRType,
  type Upstream,
} from '@lanctl/dns-wire';
import type { DnsConfig } from './config.ts';

export interface ForwarderOptions {
  upstreams: Upstream[];
  timeoutMs: number;
  cacheSize: number;
  maxTtl: number;
  udpSize: number;
  now?: () => number;
}

export type ForwardResult =
  | { kind: 'answer'; template: Uint8Array; cached: boolean; rcode: number }
  | { kind: 'failed'; reason: 'timeout' | 'bad-response' | 'network' };

interface CacheEntry {
  msg: DnsMessage;
  storedAt: number;
  expiresAt: number;
}

/** TTL of a cacheable answer: smallest record TTL; negative answers per RFC 2308 §5; else null. */
export function cacheTtl(msg: DnsMessage, maxTtl: number): number | null {
  if (msg.flags.tc || (msg.flags.rcode !== Rcode.NOERROR && msg.flags.rcode !== Rcode.NXDOMAIN))
    return null;
  if (msg.answers.length > 0) return Math.min(maxTtl, ...msg.answers.map((r) => r.ttl));
  const soa = msg.authorities.find((r) => r.type === RRType.SOA);
  if (soa?.data.kind !== 'soa') return null;
  return Math.min(maxTtl, soa.ttl, soa.data.minimum);
}

function upstreamQuery(q: QuickQuery, id: number, udpSize: number): Uint8Array {
  return encode({
    id,
    flags: { ...emptyFlags(), rd: true, cd: (q.flags & 0x10) !== 0 },
    questions: [{ name: q.qname, type: q.qtype, class: q.qclass }],
    answers: [],
    authorities: [],
    additionals: [],
    edns: { udpSize, extendedRcode: 0, version: 0, do: q.edns?.do ?? false, flags: 0, options: [] },
  });
}

/** One UDP exchange from a fresh socket (random source port) with a random id. */
function askUdp(u: Upstream, query: Uint8Array, timeoutMs: number): Promise<Uint8Array | null> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    let finished = false;
    const done = (r: Uint8Array | null) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      sock.close();
      resolve(r);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    sock.on('error', () => done(null));
    sock.on('message', (msg, rinfo) => {
      if (rinfo.address !== u.address || rinfo.port !== u.port) return;
      if (msg.length < 2 || msg[0] !== query[0] || msg[1] !== query[1]) return;
      done(msg);
    });
    sock.send(query, u.port, u.address);
  });
}

/** The same exchange over TCP (after a truncated UDP answer). */
function askTcp(u: Upstream, query: Uint8Array, timeoutMs: number): Promise<Uint8Array | null> {
  return new Promise((resolve) => {
    const sock = connect({ host: u.address, port: u.port });
    let buf = Buffer.alloc(0);
    let finished = false;
    const done = (r: Uint8Array | null) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    sock.on('error', () => done(null));
    sock.on('close', () => done(null));
    sock.on('connect', () =>
      sock.write(Buffer.concat([Buffer.from([query.length >> 8, query.length & 255]), query])),
    );
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0))
        done(buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
  });
}

/** Checks the response answers our question (id already matched), and makes it a template. */
function accept(q: QuickQuery, bytes: Uint8Array): DnsMessage | null {
  const msg = decode(bytes);
  if (isDecodeError(msg) || !msg.flags.qr || msg.questions.length !== 1) return null;
  const question = msg.questions[0];
  if (!question || lowerName(question.name) !== q.qname || question.type !== q.qtype) return null;
  return msg;
}

function toTemplate(msg: DnsMessage, q: QuickQuery, ageSeconds: number): Uint8Array {
  const age = (r: DnsRecord): DnsRecord => ({ ...r, ttl: Math.max(0, r.ttl - ageSeconds) });
  return encode({
    ...msg,
    id: 0,
    flags: { ...msg.flags, aa: false, ra: true, tc: false },
    questions: [{ name: q.qname, type: q.qtype, class: q.qclass }],
    answers: msg.answers.map(age),
    authorities: msg.authorities.map(age),
    additionals: msg.additionals.map(age),
    edns: null,
  });
}

/** Forwards what our zones do not hold; a bounded cache honours TTLs. */
export function createForwarder(options: ForwarderOptions) {
  const now = options.now ?? Date.now;
  const cache = new Map<string, CacheEntry>();

  function fromCache(key: string, q: QuickQuery): ForwardResult | null {
    const hit = cache.get(key);
    if (!hit) return null;
    const t = now();
    cache.delete(key);
    if (t >= hit.expiresAt) return null;
    cache.set(key, hit);
    const template = toTemplate(hit.msg, q, Math.floor((t - hit.storedAt) / 1000));
    return { kind: 'answer', template, cached: true, rcode: hit.msg.flags.rcode };
  }

  function store(key: string, msg: DnsMessage): void {
    const ttl = cacheTtl(msg, options.maxTtl);
    if (ttl === null || ttl <= 0 || options.cacheSize === 0) return;
    while (cache.size >= options.cacheSize) cache.delete(cache.keys().next().value as string);
    const t = now();
    cache.set(key, { msg, storedAt: t, expiresAt: t + ttl * 1000 });
  }

  async function ask(u: Upstream, q: QuickQuery): Promise<DnsMessage | 'timeout' | 'bad'> {
    const query = upstreamQuery(q, randomInt(0, 65536), options.udpSize);
    let bytes = await askUdp(u, query, options.timeoutMs);
    if (bytes && bytes.length > 2 && ((bytes[2] as number) & 0x02) !== 0)
      bytes = await askTcp(u, query, options.timeoutMs);
    if (!bytes) return 'timeout';
    return accept(q, bytes) ?? 'bad';
  }

  async function forward(q: QuickQuery): Promise<ForwardResult> {
    const key = `${q.qtype}\u0000${q.qclass}\u0000${q.edns?.do ? 1 : 0}\u0000${q.qname}`;
    const cached = fromCache(key, q);
    if (cached) return cached;
    let failure: 'timeout' | 'bad-response' = 'timeout';
    for (const u of options.upstreams) {
      const r = await ask(u, q);
      if (r === 'timeout') continue;
      if (r === 'bad') {
        failure = 'bad-response';
        continue;
      }
      store(key, r);
      return { kind: 'answer', template: toTemplate(r, q, 0), cached: false, rcode: r.flags.rcode };
    }
    return { kind: 'failed', reason: failure };
  }

  return { forward, cacheSize: () => cache.size };
}

export type Forwarder = ReturnType<typeof createForwarder>;

/** The forwarder of `plan.upstreams`, or null when there are none (names outside are REFUSED). */
export function forwarderFor(config: DnsConfig): Forwarder | null {
  const upstreams = config.plan.upstreams.map((u) => parseUpstream(u)).filter((u) => u !== null);
  if (upstreams.length === 0) return null;
  return createForwarder({
    upstreams,
    timeoutMs: config.forward.timeout_ms,
    cacheSize: config.forward.cache_size,
    maxTtl: config.forward.max_ttl,
    udpSize: config.edns_udp_size,
  });
}
