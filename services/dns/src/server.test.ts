import { createSocket, type Socket } from 'node:dgram';
import { connect } from 'node:net';
import { createLogger, createMetricsRegistry } from '@lanctl/core';
import {
  buildZones,
  type DnsMessage,
  decode,
  dnsPlanSchema,
  emptyFlags,
  encode,
  isDecodeError,
  nextSerials,
  Rcode,
  RRType,
} from '@lanctl/dns-wire';
import { parseCidr } from '@lanctl/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexZones } from './authority.ts';
import { createForwarder } from './forwarder.ts';
import { createDnsMetrics } from './metrics.ts';
import { createResponder } from './responder.ts';
import { type DnsSockets, listenDns } from './server.ts';

const registry = createMetricsRegistry();
const metrics = createDnsMetrics(registry, () => true);
let sockets: DnsSockets;
/** A resolver that never answers, and a server forwarding to it with a 100 ms timeout. */
let silent: Socket;
let forwarding: DnsSockets;

beforeAll(async () => {
  const plan = dnsPlanSchema.parse({});
  const set = buildZones(plan, [], []);
  const index = indexZones(set, nextSerials({}, set.zones, new Date()));
  const logger = createLogger('dns', { silent: true });
  const deps = {
    index: () => index,
    allow: [parseCidr('127.0.0.0/8')!],
    metrics,
    logger,
    udpSize: 1232,
  };
  const responder = createResponder({ ...deps, forwarder: null });
  const listen = { host: '127.0.0.1', port: 0, idleTimeoutMs: 300, maxConnections: 10 };
  sockets = await listenDns(listen, responder, metrics, logger);
  silent = createSocket('udp4');
  await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
  const upstreams = [{ address: '127.0.0.1', port: silent.address().port }];
  const forwarder = createForwarder({
    upstreams,
    timeoutMs: 100,
    cacheSize: 10,
    maxTtl: 60,
    udpSize: 1232,
  });
  forwarding = await listenDns(listen, createResponder({ ...deps, forwarder }), metrics, logger);
});
afterAll(async () => {
  await sockets.close();
  await forwarding.close();
  silent.close();
});

const query = (id: number, name: string, extra: Partial<DnsMessage> = {}) =>
  encode({
    id,
    flags: emptyFlags(),
    questions: [{ name, type: RRType.A, class: 1 }],
    answers: [],
    authorities: [],
    additionals: [],
    edns: null,
    ...extra,
  });

/** Sends one datagram; resolves with the reply or null after 500 ms. */
function udp(bytes: Uint8Array, port = sockets.port): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => {
      s.close();
      resolve(null);
    }, 500);
    s.on('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(m);
    });
    s.send(bytes, port, '127.0.0.1');
  });
}

describe('sockets', () => {
  it('answers FORMERR to a query it cannot read, drops runts and responses', async () => {
    const broken = Buffer.from(query(99, 'ns.prolo.'));
    broken[12] = 0xc0; // a pointer in the question: cannot point backwards
    const reply = await udp(broken);
    expect(reply?.readUInt16BE(0)).toBe(99);
    expect(reply && reply[3]! & 15).toBe(Rcode.FORMERR);
    expect(await udp(Buffer.from([1, 2, 3]))).toBeNull();
    const response = Buffer.from(query(5, 'ns.prolo.'));
    response[2]! |= 0x80;
    expect(await udp(response)).toBeNull();
    const text = await registry.metrics();
    expect(text).toMatch(/lanctl_dns_drops_total\{reason="too-short"\} 1/);
    expect(text).toMatch(/lanctl_dns_drops_total\{reason="response"\} 1/);
    expect(text).toMatch(
      /lanctl_dns_queries_total\{view="normal",type="other",rcode="FORMERR",transport="udp"\} 1/,
    );
  });

  it('answers several queries on one TCP connection, split across writes', async () => {
    const frames = Buffer.concat(
      [1, 2, 3].map((id) => {
        const q = query(id, id === 2 ? 'nope.prolo.' : 'ns.prolo.');
        return Buffer.concat([Buffer.from([q.length >> 8, q.length & 255]), q]);
      }),
    );
    const replies = await new Promise<DnsMessage[]>((resolve, reject) => {
      const sock = connect(sockets.port, '127.0.0.1');
      let buf = Buffer.alloc(0);
      const out: DnsMessage[] = [];
      sock.on('connect', () => {
        sock.write(frames.subarray(0, 7));
        setTimeout(() => sock.write(frames.subarray(7)), 20);
      });
      sock.on('data', (c) => {
        buf = Buffer.concat([buf, c]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          const m = decode(buf.subarray(2, 2 + buf.readUInt16BE(0)));
          if (isDecodeError(m)) return reject(new Error(m.message));
          out.push(m);
          buf = buf.subarray(2 + buf.readUInt16BE(0));
        }
        if (out.length === 3) {
          sock.end();
          resolve(out);
        }
      });
      sock.on('error', reject);
    });
    expect(replies.map((m) => [m.id, m.flags.rcode])).toEqual([
      [1, Rcode.NOERROR],
      [2, Rcode.NXDOMAIN],
      [3, Rcode.NOERROR],
    ]);
    expect(replies[0]?.answers[0]?.data).toEqual({ kind: 'a', address: '192.168.1.254' });
  });

  it('answers SERVFAIL when the upstream stays silent', async () => {
    const reply = await udp(query(8, 'slow.example.'), forwarding.port);
    const m = reply && decode(reply);
    if (!m || isDecodeError(m)) throw new Error('no reply');
    expect(m.flags).toMatchObject({ rcode: Rcode.SERVFAIL, ra: true });
    expect(await registry.metrics()).toMatch(/lanctl_dns_forwarded_total\{result="timeout"\} 1/);
  });

  it('closes an idle TCP connection', async () => {
    const closed = await new Promise<boolean>((resolve) => {
      const sock = connect(sockets.port, '127.0.0.1');
      const bound = setTimeout(() => {
        sock.destroy();
        resolve(false);
      }, 5000);
      sock.on('close', () => {
        clearTimeout(bound);
        resolve(true);
      });
      sock.on('error', () => undefined);
    });
    expect(closed).toBe(true);
  });
});
