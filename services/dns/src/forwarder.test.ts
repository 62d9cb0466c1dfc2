import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import {
  type DnsMessage,
  decode,
  emptyFlags,
  encode,
  isDecodeError,
  parseQuery,
  Rcode,
  RRType,
} from '@lanctl/dns-wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheTtl, createForwarder } from './forwarder.ts';

/**
 * A scripted upstream on loopback: answers A queries with one record of TTL 60, or stays silent;
 * `tc.example.` gets an empty truncated answer over UDP and 3 records over TCP (same port).
 */
let upstream: Socket;
let tcpUpstream: Server;
let port = 0;
let silent = false;
let asked = 0;

beforeAll(async () => {
  upstream = createSocket('udp4');
  upstream.on('message', (msg, rinfo) => {
    asked++;
    if (silent) return;
    const q = decode(msg);
    if (isDecodeError(q)) return;
    const tc = q.questions[0]?.name === 'tc.example.';
    const reply: DnsMessage = {
      ...q,
      flags: { ...q.flags, qr: true, ra: true, tc },
      answers: tc
        ? []
        : [
            {
              name: q.questions[0]!.name,
              type: RRType.A,
              class: 1,
              ttl: 60,
              data: { kind: 'a', address: '10.1.2.3' },
            },
          ],
    };
    upstream.send(encode(reply), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => upstream.bind(0, '127.0.0.1', r));
  port = upstream.address().port;
  tcpUpstream = createServer((sock) => {
    sock.on('data', (chunk) => {
      const q = decode(chunk.subarray(2));
      if (isDecodeError(q)) return sock.destroy();
      const record = (i: number) => ({
        name: 'tc.example.',
        type: RRType.A,
        class: 1,
        ttl: 60,
        data: { kind: 'a' as const, address: `10.0.0.${i}` },
      });
      const out = encode({ ...q, flags: { ...q.flags, qr: true }, answers: [1, 2, 3].map(record) });
      sock.end(Buffer.concat([Buffer.from([out.length >> 8, out.length & 255]), out]));
    });
  });
  await new Promise<void>((r) => tcpUpstream.listen(port, '127.0.0.1', r));
});
afterAll(() => {
  upstream.close();
  tcpUpstream.close();
});

const query = (name: string) =>
  parseQuery(
    encode({
      id: 1,
      flags: { ...emptyFlags(), rd: true },
      questions: [{ name, type: RRType.A, class: 1 }],
      answers: [],
      authorities: [],
      additionals: [],
      edns: null,
    }),
  )!;

describe('forwarder', () => {
  it('forwards, caches for the TTL and ages it', async () => {
    let now = 1_000_000;
    const f = createForwarder({
      upstreams: [{ address: '127.0.0.1', port }],
      timeoutMs: 1000,
      cacheSize: 10,
      maxTtl: 3600,
      udpSize: 1232,
      now: () => now,
    });
    const first = await f.forward(query('a.example.'));
    expect(first).toMatchObject({ kind: 'answer', cached: false, rcode: 0 });
    const before = asked;
    now += 20_000;
    const second = await f.forward(query('A.example.'));
    expect(second).toMatchObject({ kind: 'answer', cached: true });
    expect(asked).toBe(before);
    const m = decode(second.kind === 'answer' ? second.template : new Uint8Array());
    if (isDecodeError(m)) throw new Error(m.message);
    expect(m.answers[0]?.ttl).toBe(40);
    expect(m.flags).toMatchObject({ aa: false, ra: true });
    now += 41_000;
    expect(await f.forward(query('a.example.'))).toMatchObject({ cached: false });
  });

  it('retries over TCP when the UDP answer is truncated', async () => {
    const f = createForwarder({
      upstreams: [{ address: '127.0.0.1', port }],
      timeoutMs: 1000,
      cacheSize: 10,
      maxTtl: 3600,
      udpSize: 1232,
    });
    const r = await f.forward(query('tc.example.'));
    if (r.kind !== 'answer') throw new Error(r.reason);
    const m = decode(r.template);
    if (isDecodeError(m)) throw new Error(m.message);
    expect(m.flags.tc).toBe(false);
    expect(m.answers).toHaveLength(3);
  });

  it('keeps the cache within its size', async () => {
    const f = createForwarder({
      upstreams: [{ address: '127.0.0.1', port }],
      timeoutMs: 1000,
      cacheSize: 2,
      maxTtl: 3600,
      udpSize: 1232,
    });
    for (const n of ['x1', 'x2', 'x3']) await f.forward(query(`${n}.example.`));
    expect(f.cacheSize()).toBe(2);
  });

  it('fails (SERVFAIL upstream of it) when every upstream stays silent', async () => {
    silent = true;
    try {
      const f = createForwarder({
        upstreams: [{ address: '127.0.0.1', port }],
        timeoutMs: 100,
        cacheSize: 10,
        maxTtl: 60,
        udpSize: 1232,
      });
      expect(await f.forward(query('slow.example.'))).toEqual({
        kind: 'failed',
        reason: 'timeout',
      });
    } finally {
      silent = false;
    }
  });

  it('caches negative answers for min(SOA TTL, minimum), not SERVFAIL', () => {
    const soa = {
      kind: 'soa' as const,
      mname: 'a.',
      rname: 'b.',
      serial: 1,
      refresh: 1,
      retry: 1,
      expire: 1,
      minimum: 30,
    };
    const base: DnsMessage = {
      id: 0,
      flags: { ...emptyFlags(), qr: true, rcode: Rcode.NXDOMAIN },
      questions: [],
      answers: [],
      authorities: [{ name: 'example.', type: RRType.SOA, class: 1, ttl: 300, data: soa }],
      additionals: [],
      edns: null,
    };
    expect(cacheTtl(base, 3600)).toBe(30);
    expect(cacheTtl({ ...base, flags: { ...base.flags, rcode: Rcode.SERVFAIL } }, 3600)).toBeNull();
    expect(cacheTtl({ ...base, authorities: [] }, 3600)).toBeNull();
  });
});
