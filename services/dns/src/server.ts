import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '@lanctl/core';
import type { AnswerMetrics } from './metrics.ts';
import type { Reply, Responder } from './responder.ts';

export interface DnsListenOptions {
  host: string;
  port: number;
  idleTimeoutMs: number;
  maxConnections: number;
}

export interface DnsSockets {
  /** The port bound (UDP and TCP share it; port 0 resolved). */
  port: number;
  close(): Promise<void>;
}

function bindUdp(host: string, port: number): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const udp = createSocket({ type: 'udp4' });
    udp.once('error', reject);
    udp.bind(port, host, () => {
      udp.off('error', reject);
      resolve(udp);
    });
  });
}

function listenTcp(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

const frame = (bytes: Uint8Array) => {
  const out = Buffer.allocUnsafe(bytes.length + 2);
  out.writeUInt16BE(bytes.length, 0);
  out.set(bytes, 2);
  return out;
};

/** RFC 7766: length-prefixed messages, several per connection, answered as they are ready. */
function serveTcp(
  sock: Socket,
  responder: Responder,
  metrics: AnswerMetrics,
  idleMs: number,
): void {
  let buf = Buffer.alloc(0);
  const address = sock.remoteAddress ?? '';
  sock.setNoDelay(true);
  sock.setTimeout(idleMs, () => sock.destroy());
  metrics.tcpConnections.inc();
  sock.on('close', () => metrics.tcpConnections.dec());
  sock.on('error', () => sock.destroy());
  const send = (bytes: Uint8Array | null) => {
    if (bytes && !sock.destroyed) sock.write(frame(bytes));
  };
  sock.on('data', (chunk) => {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    while (buf.length >= 2) {
      const len = buf.readUInt16BE(0);
      if (buf.length < 2 + len) break;
      const msg = buf.subarray(2, 2 + len);
      buf = buf.subarray(2 + len);
      const reply: Reply = responder.respond(msg, address, 'tcp');
      if (reply instanceof Promise) reply.then(send, () => undefined);
      else send(reply);
    }
  });
}

/** Binds UDP and TCP on host:port (the same port: TCP follows the port UDP got for port 0). */
export async function listenDns(
  options: DnsListenOptions,
  responder: Responder,
  metrics: AnswerMetrics,
  logger: Logger,
): Promise<DnsSockets> {
  const udp = await bindUdp(options.host, options.port);
  const port = udp.address().port;
  const onSent = (e: Error | null) => {
    if (e) metrics.drop('send-failed');
  };
  const sendUdp = (bytes: Uint8Array | null, rport: number, raddress: string) => {
    if (bytes) udp.send(bytes, rport, raddress, onSent);
  };
  udp.on('message', (msg, rinfo) => {
    const reply = responder.respond(msg, rinfo.address, 'udp');
    if (reply instanceof Promise)
      reply.then(
        (r) => sendUdp(r, rinfo.port, rinfo.address),
        () => undefined,
      );
    else sendUdp(reply, rinfo.port, rinfo.address);
  });
  udp.on('error', (e) => logger.error('udp socket error', { error: e.message }));
  const tcp = createServer((sock) => serveTcp(sock, responder, metrics, options.idleTimeoutMs));
  tcp.maxConnections = options.maxConnections;
  tcp.on('drop', () => metrics.drop('tcp-limit'));
  try {
    await listenTcp(tcp, options.host, port);
  } catch (e) {
    udp.close();
    throw e;
  }
  const sockets = new Set<Socket>();
  tcp.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        udp.close();
        for (const s of sockets) s.destroy();
        tcp.close(() => resolve());
      }),
  };
}
