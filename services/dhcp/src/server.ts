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
  MessageType,
  MIN_MESSAGE_SIZE,
  peekMessageType,
  subnetFor,
} from '@lanctl/dhcp-wire';
import type { DhcpConfig } from './config.ts';
import type { BootStep, LeaseStore } from './leases.ts';
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

  /**
   * decide → record → (commit) → encode → send, for a classified request; `done` once it is
   * answered. Callbacks, not promises: only an ACK waits (for its batch's commit).
   */
  const answer = (decoded: DhcpMessage, c: ClientInfo, done: () => void): void => {
    const started = process.hrtime.bigint();
    const now = deps.now();
    const decision = decide(c, deps.context(now));
    metrics.decision.observe(Number(process.hrtime.bigint() - started) / 1e9);
    store.put(decision.effects);
    const step = bootStep(c, decision, now);
    if (step) store.record(step);
    log(c, decision);
    if (decision.kind === 'ignore') metrics.dropped.inc({ reason: decision.reason });
    if (decision.kind === 'ignore' || decision.kind === 'noreply') {
      done();
      return;
    }
    const isNak = decision.kind === 'nak';
    const reply = isNak
      ? buildNak(decoded, c, decision)
      : buildReply(decoded, c, decision, { domain: config.plan.domain });
    const bytes = encode(reply, { maxSize: Math.max(MIN_MESSAGE_SIZE, c.maxMessageSize ?? 0) });
    const type = isNak ? 'NAK' : decision.type;
    const sendReply = () =>
      send(bytes, destination(c, isNak), replySubnet(config, c, decision), () => {
        metrics.sent.inc({ type });
        done();
      });
    // An ACKed lease is durable before the client hears of it; an OFFER or NAK promises nothing
    // (a crash loses at most an offer hold: the client's REQUEST is then NAKed or re-ACKed).
    if (type !== 'ACK') {
      sendReply();
      return;
    }
    store.afterCommit((error) => {
      if (!error) sendReply();
      else {
        drop('commit-failed', c.giaddr ?? c.ciaddr ?? '', error.message);
        done();
      }
    });
  };

  /** Whether to shed a new exchange now (counted and dropped if so). */
  const shed = (from: string): boolean => {
    const overload = shedder.overload();
    if (overload) drop('overload', from, overload);
    return overload !== null;
  };

  /** One datagram; `done` once it is answered or dropped. Throws only on a bug. */
  const receive = (msg: Buffer, from: { address: string }, done: () => void): void => {
    // Shed new exchanges first (a REQUEST finishes one a client already started), before
    // decoding: a DISCOVER dropped under load costs a few bytes read.
    const peeked = peekMessageType(msg);
    if (peeked === MessageType.DISCOVER && shed(from.address)) {
      metrics.received.inc({ type: 'DISCOVER' });
      done();
      return;
    }
    const decoded = decode(msg);
    if (isDecodeError(decoded)) {
      drop(decoded.reason, from.address, decoded.message);
      done();
      return;
    }
    const c = classify(decoded);
    if ('reason' in c) {
      drop(c.reason, from.address);
      done();
      return;
    }
    metrics.received.inc({ type: c.type });
    if (peeked === null && c.type === 'DISCOVER' && shed(from.address)) {
      done();
      return;
    }
    shedder.enter();
    let answered = false;
    const finish = () => {
      if (answered) return;
      answered = true;
      shedder.leave();
      done();
    };
    try {
      answer(decoded, c, finish);
    } catch (e) {
      finish();
      throw e;
    }
  };

  const handle: PacketServer['handle'] = (msg, from) =>
    new Promise((resolve, reject) => {
      try {
        receive(msg, from, resolve);
      } catch (e) {
        reject(e);
      }
    });

  const noop = () => {};
  return {
    handle,
    async start() {
      socket = await bindSocket(config, logger, (msg, rinfo) => {
        try {
          receive(msg, rinfo, noop);
        } catch (e) {
          metrics.dropped.inc({ reason: 'internal-error' });
          logger.error('dhcp request failed', { error: (e as Error).stack ?? String(e) });
        }
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

/** The request and what became of it, as one step of the MAC's boot timeline. */
function bootStep(c: ClientInfo, d: Decision, now: number): BootStep | null {
  if (!c.mac) return null;
  const asked = c.requestedIp ?? c.ciaddr;
  const outcome =
    d.kind === 'reply' ? d.type : d.kind === 'nak' ? 'NAK' : d.kind === 'ignore' ? 'IGNORED' : null;
  const detail = d.kind === 'reply' ? d.boot.filename : d.kind === 'noreply' ? d.note : d.reason;
  return {
    at: now,
    mac: c.mac,
    type: c.type,
    xid: c.xid,
    address: asked,
    kind: c.kind,
    relay: c.giaddr,
    detail,
    outcome,
    outcomeAddress: d.kind === 'reply' ? d.yiaddr : outcome === null ? null : asked,
  };
}
