import { createSocket, type Socket } from 'node:dgram';
import type { Logger } from '@lanctl/core';
import {
  type ClientInfo,
  classify,
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
import { type Decision, decide, type PolicyContext } from './policy.ts';
import { buildNak, buildReply, destination } from './reply.ts';
import { createSender } from './send.ts';

export interface PacketServerDeps {
  logger: Logger;
  metrics: DhcpMetrics;
  store: LeaseStore;
  /** The policy context at `now` (ms). */
  context: (now: number) => PolicyContext;
  now: () => number;
}

export interface PacketServer {
  start(): Promise<{ address: string; port: number }>;
  stop(): Promise<void>;
  /** Handles one datagram: resolves when its reply, if any, is sent. */
  handle(msg: Buffer, from: { address: string; port: number }): Promise<void>;
}

/** A deep receive queue rides out event-loop stalls (GC, fsync) under bursts (≤ rmem_max). */
const RECV_BUFFER_BYTES = 4 * 1024 * 1024;
/** Drop log lines per reason and minute (the counter counts them all). */
const DROP_LOGS_PER_MINUTE = 20;

/** The UDP side: decode → classify → decide → record → (commit) → encode → send. */
export function createPacketServer(config: DhcpConfig, deps: PacketServerDeps): PacketServer {
  const { logger, metrics, store } = deps;
  let socket: Socket | null = null;
  const send = createSender(config, () => socket, { logger, metrics });
  const drop = dropper(logger, metrics, deps.now);

  const handle: PacketServer['handle'] = async (msg, from) => {
    const decoded = decode(msg);
    if (isDecodeError(decoded)) return drop(decoded.reason, from.address, decoded.message);
    const c = classify(decoded);
    if ('reason' in c) return drop(c.reason, from.address);
    metrics.received.inc({ type: c.type });
    const started = process.hrtime.bigint();
    const now = deps.now();
    const decision = decide(c, deps.context(now));
    metrics.decision.observe(Number(process.hrtime.bigint() - started) / 1e9);
    store.put(decision.effects);
    store.record(bootEvents(c, decision, now));
    logDecision(logger, c, decision);
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

  return {
    handle,
    async start() {
      socket = await bindSocket(config, logger, (msg, rinfo) => {
        handle(msg, rinfo).catch((e: Error) => {
          metrics.dropped.inc({ reason: 'internal-error' });
          logger.error('dhcp request failed', { error: e.stack ?? e.message });
        });
      });
      return { address: socket.address().address, port: socket.address().port };
    },
    stop() {
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
    const s = createSocket({ type: 'udp4', reuseAddr: true, recvBufferSize: RECV_BUFFER_BYTES });
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

/** Counts every drop; logs at most DROP_LOGS_PER_MINUTE per reason (a flood is one counter). */
function dropper(logger: Logger, metrics: DhcpMetrics, now: () => number) {
  const windows = new Map<string, { start: number; logged: number }>();
  return (reason: string, from: string, detail?: string) => {
    metrics.dropped.inc({ reason });
    const t = now();
    let w = windows.get(reason);
    if (!w || t - w.start >= 60_000) {
      w = { start: t, logged: 0 };
      windows.set(reason, w);
    }
    if (w.logged++ < DROP_LOGS_PER_MINUTE) {
      logger.warn('dhcp packet dropped', { reason, from, detail });
    }
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

function logDecision(logger: Logger, c: ClientInfo, d: Decision): void {
  const base = { mac: c.mac, xid: c.xid, type: c.type, kind: c.kind, relay: c.giaddr };
  if (d.kind === 'reply') {
    logger.log(d.type === 'OFFER' ? 'debug' : 'info', `dhcp ${c.type} → ${d.type}`, {
      ...base,
      address: d.yiaddr,
      host: d.machine?.hostname ?? null,
      file: d.boot.filename,
    });
  } else if (d.kind === 'nak') {
    logger.info(`dhcp ${c.type} → NAK`, { ...base, reason: d.reason });
  } else if (d.kind === 'noreply') {
    logger.info(`dhcp ${c.type}`, { ...base, note: d.note });
  } else {
    logger.info(`dhcp ${c.type} ignored`, { ...base, reason: d.reason });
  }
}

/** The request, then what became of it, for the MAC's boot timeline. */
function bootEvents(c: ClientInfo, d: Decision, now: number): BootEvent[] {
  if (!c.mac) return [];
  const base = { at: now, mac: c.mac, xid: c.xid, kind: c.kind, relay: c.giaddr };
  const asked = c.requestedIp ?? c.ciaddr;
  const out: BootEvent[] = [{ ...base, type: c.type, address: asked, detail: null }];
  if (d.kind === 'reply') {
    out.push({ ...base, type: d.type, address: d.yiaddr, detail: d.boot.filename });
  } else if (d.kind === 'nak') {
    out.push({ ...base, type: 'NAK', address: asked, detail: d.reason });
  } else if (d.kind === 'ignore') {
    out.push({ ...base, type: 'IGNORED', address: asked, detail: d.reason });
  } else {
    out[0]!.detail = d.note;
  }
  return out;
}
