import { createSocket, type Socket } from 'node:dgram';
import type { Logger } from '@lanctl/core';
import {
  type ClientInfo,
  classify,
  type DhcpMessage,
  type DhcpSubnet,
  decode,
  encode,
  isDecodeError,
  MIN_MESSAGE_SIZE,
  subnetFor,
} from '@lanctl/dhcp-wire';
import type { DhcpConfig } from './config.ts';
import type { BootEvent, LeaseStore } from './leases.ts';
import type { DhcpMetrics } from './metrics.ts';
import { createPacketLog, rateLimiter } from './packet-log.ts';
import { type Decision, decide, type PolicyContext } from './policy.ts';
import { buildNak, buildReply, destination } from './reply.ts';
import { createSender } from './send.ts';
import { createShedder, type ShedLimits } from './shed.ts';

export interface PacketServerDeps {
  logger: Logger;
  metrics: DhcpMetrics;
  store: LeaseStore;
  /** The policy context at `now` (ms). */
  context: (now: number) => PolicyContext;
  now: () => number;
  /** Load shedding bounds (default DEFAULT_SHED_LIMITS). */
  shed?: ShedLimits;
}

export interface PacketServer {
  start(): Promise<{ address: string; port: number }>;
  stop(): Promise<void>;
  /** Handles one datagram: resolves when its reply, if any, is sent. */
  handle(msg: Buffer, from: { address: string; port: number }): Promise<void>;
}

/**
 * Socket buffers (≤ rmem_max/wmem_max). The receive queue rides out short stalls (GC) in a burst,
 * but no deeper: past saturation an older queue only means answers the clients stopped waiting
 * for (load shedding drops new DISCOVERs instead).
 */
const RECV_BUFFER_BYTES = 1024 * 1024;
const SEND_BUFFER_BYTES = 1024 * 1024;

/** The UDP side: decode → classify → decide → record → (commit) → encode → send. */
export function createPacketServer(config: DhcpConfig, deps: PacketServerDeps): PacketServer {
  const { logger, metrics, store } = deps;
  let socket: Socket | null = null;
  const send = createSender(config, () => socket, { logger, metrics });
  const drop = dropper(logger, metrics, deps.now);
  const log = createPacketLog(logger, deps.now);

  const shedder = createShedder(deps.shed);

  /** decide → record → (commit) → encode → send, for a classified request. */
  const answer = async (decoded: DhcpMessage, c: ClientInfo) => {
    const started = process.hrtime.bigint();
    const now = deps.now();
    const decision = decide(c, deps.context(now));
    metrics.decision.observe(Number(process.hrtime.bigint() - started) / 1e9);
    store.put(decision.effects);
    store.record(bootEvents(c, decision, now));
    log(c, decision);
    if (decision.kind === 'ignore') metrics.dropped.inc({ reason: decision.reason });
    if (decision.kind === 'ignore' || decision.kind === 'noreply') return;
    const isNak = decision.kind === 'nak';
    const reply = isNak
      ? buildNak(decoded, c, decision)
      : buildReply(decoded, c, decision, { domain: config.plan.domain });
    const bytes = encode(reply, { maxSize: Math.max(MIN_MESSAGE_SIZE, c.maxMessageSize ?? 0) });
    // An ACKed lease is durable before the client hears of it; an OFFER or NAK promises nothing
    // (a crash loses at most an offer hold: the client's REQUEST is then NAKed or re-ACKed).
    if (!isNak && decision.type === 'ACK') await store.commit();
    await send(bytes, destination(c, isNak), replySubnet(config, c, decision));
    metrics.sent.inc({ type: isNak ? 'NAK' : decision.type });
  };

  const handle: PacketServer['handle'] = async (msg, from) => {
    const decoded = decode(msg);
    if (isDecodeError(decoded)) return drop(decoded.reason, from.address, decoded.message);
    const c = classify(decoded);
    if ('reason' in c) return drop(c.reason, from.address);
    metrics.received.inc({ type: c.type });
    // Shed new exchanges first: a REQUEST finishes one a client already started.
    const overload = c.type === 'DISCOVER' ? shedder.overload() : null;
    if (overload) return drop('overload', from.address, overload);
    shedder.enter();
    try {
      await answer(decoded, c);
    } finally {
      shedder.leave();
    }
  };

  return {
    handle,
    async start() {
      socket = await bindSocket(config, logger, (msg, rinfo) => {
        handle(msg, rinfo).catch((e: Error) => {
          metrics.dropped.inc({ reason: 'internal-error' });
          logger.error('dhcp request failed', { error: e.stack ?? e.message });
        });
      });
      shedder.start();
      return { address: socket.address().address, port: socket.address().port };
    },
    stop() {
      shedder.stop();
      const s = socket;
      socket = null;
      return new Promise((resolve) => (s ? s.close(() => resolve()) : resolve()));
    },
  };
}

function bindSocket(
  config: DhcpConfig,
  logger: Logger,
  onMessage: (msg: Buffer, from: { address: string; port: number }) => void,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createSocket({
      type: 'udp4',
      reuseAddr: true,
      recvBufferSize: RECV_BUFFER_BYTES,
      sendBufferSize: SEND_BUFFER_BYTES,
    });
    s.once('error', reject);
    s.on('message', onMessage);
    s.bind(config.listen.port, config.listen.host, () => {
      s.off('error', reject);
      s.on('error', (e) => logger.error('dhcp socket error', { error: e.message }));
      s.setBroadcast(true);
      resolve(s);
    });
  });
}

/** Counts every drop; logs at most LOGS_PER_MINUTE per reason (a flood is one counter). */
function dropper(logger: Logger, metrics: DhcpMetrics, now: () => number) {
  const allowed = rateLimiter(now);
  return (reason: string, from: string, detail?: string) => {
    metrics.dropped.inc({ reason });
    if (allowed(reason)) logger.warn('dhcp packet dropped', { reason, from, detail });
  };
}

/** The subnet a reply is for (its broadcast address, when broadcast is directed). */
function replySubnet(config: DhcpConfig, c: ClientInfo, d: Decision): DhcpSubnet | null {
  if (d.kind === 'reply') return d.subnet;
  const hint = c.requestedIp ?? c.ciaddr;
  return (
    (hint ? subnetFor(config.plan, hint) : null) ??
    config.plan.subnets.find((s) => s.dynamic) ??
    null
  );
}

/** The request, then what became of it, for the MAC's boot timeline. */
function bootEvents(c: ClientInfo, d: Decision, now: number): BootEvent[] {
  if (!c.mac) return [];
  const { mac, xid, kind, giaddr: relay } = c;
  const asked = c.requestedIp ?? c.ciaddr;
  const note = d.kind === 'noreply' ? d.note : null;
  const request: BootEvent = {
    at: now,
    mac,
    type: c.type,
    xid,
    address: asked,
    kind,
    relay,
    detail: note,
  };
  const outcome = (type: string, address: string | null, detail: string | null): BootEvent => ({
    at: now,
    mac,
    type,
    xid,
    address,
    kind,
    relay,
    detail,
  });
  if (d.kind === 'reply') return [request, outcome(d.type, d.yiaddr, d.boot.filename)];
  if (d.kind === 'nak') return [request, outcome('NAK', asked, d.reason)];
  if (d.kind === 'ignore') return [request, outcome('IGNORED', asked, d.reason)];
  return [request];
}
