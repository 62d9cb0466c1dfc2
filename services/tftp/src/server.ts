import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import type { Logger } from '@lanctl/core';
import { DecodeError, decode, type RequestPacket } from '@lanctl/tftp-wire';
import type { TftpConfig } from './config.ts';
import type { FileSource } from './files.ts';
import {
  plainIp,
  type TransferHistory,
  type TransferOutcome,
  type TransferRecord,
} from './history.ts';
import type { FailReason, TftpMetrics } from './metrics.ts';
import { decideRequest, negotiate, type Refusal } from './policy.ts';
import { type Peer, type Session, sendOnce, startSession } from './session.ts';
import { Transfer } from './transfer.ts';

export interface ServerDeps {
  logger: Logger;
  metrics: TftpMetrics;
  files: FileSource;
  /** Where each answered request is recorded (served or refused). */
  history: TransferHistory;
  now?: () => number;
}

export interface TftpServer {
  /** Binds the TFTP socket; resolves to the port bound. */
  start(): Promise<number>;
  /** Closes the socket, ends every transfer (ERROR 0 to its client), resolves when all ended. */
  stop(): Promise<void>;
  activeTransfers(): number;
}

/** At most one log line per drop reason per this many ms (the counter counts them all). */
const DROP_LOG_INTERVAL_MS = 10_000;

/** A transfer's end as its record says it (error 8 before any block: EDK2's size probe). */
function outcomeOf(result: 'completed' | FailReason, blocksAcked: number): TransferOutcome {
  switch (result) {
    case 'completed':
      return 'done';
    case 'client_abort':
      return blocksAcked === 0 ? 'size-probe' : 'aborted-by-client';
    case 'client_error':
      return 'aborted-by-client';
    case 'timeout':
      return 'timeout';
    default:
      return 'error';
  }
}

/** The record of a transfer that ended (`detail`: the client's ERROR, a socket error). */
function servedRecord(
  t: { at: number; peer: Peer; request: RequestPacket; path: string; blksize: number },
  size: number,
  blocksAcked: number,
  end: number,
  result: 'completed' | FailReason,
  detail: Record<string, unknown>,
): TransferRecord {
  const why = detail.message ?? detail.error;
  return {
    at: t.at,
    ip: plainIp(t.peer.address),
    file: t.request.filename,
    resolved: t.path,
    blksize: t.blksize,
    tsize: t.request.options.some((o) => o.name === 'tsize') ? size : null,
    bytes: Math.min(blocksAcked * t.blksize, size),
    duration_ms: end - t.at,
    outcome: outcomeOf(result, blocksAcked),
    detail: typeof why === 'string' ? why : null,
  };
}

/** Receive buffer asked for the TFTP socket. */
const RECV_BUFFER_BYTES = 4 * 1024 * 1024;

interface Slot {
  session?: Session;
  ended: Promise<void>;
  end: () => void;
}

/**
 * The TFTP listener: decodes each request, decides (policy.ts), reads the file (FileSource),
 * negotiates options and runs the transfer on its own socket (session.ts). Bad datagrams are
 * dropped with a counter and a bounded log line; refused requests get their ERROR packet.
 */
export function createTftpServer(config: TftpConfig, deps: ServerDeps): TftpServer {
  const { logger, metrics, files, history } = deps;
  const now = deps.now ?? Date.now;
  const slots = new Map<string, Slot>();
  const lastDropLog = new Map<string, { at: number; suppressed: number }>();
  let socket: Socket | undefined;
  let stopping = false;

  function drop(reason: string, detail: Record<string, unknown>): void {
    metrics.dropped.inc({ reason });
    const last = lastDropLog.get(reason);
    if (last && now() - last.at < DROP_LOG_INTERVAL_MS) {
      last.suppressed++;
      return;
    }
    logger.warn('packet dropped', { reason, ...detail, suppressed: last?.suppressed ?? 0 });
    lastDropLog.set(reason, { at: now(), suppressed: 0 });
  }

  /** The ERROR comes from a new port, as tftp-hpa's does: tftp-hpa's client ACKs it there. */
  function refuseRequest(peer: Peer, request: RequestPacket, r: Refusal, at: number) {
    metrics.refused.inc({ reason: r.reason });
    history.add({
      at,
      ip: plainIp(peer.address),
      file: request.filename,
      resolved: null,
      blksize: null,
      tsize: null,
      bytes: 0,
      duration_ms: now() - at,
      outcome: r.reason === 'not_found' ? 'not-found' : 'refused',
      detail: r.message,
    });
    logger.info('request refused', {
      peer: `${peer.address}:${peer.port}`,
      op: request.op,
      file: request.filename,
      reason: r.reason,
      code: r.code,
    });
    return sendOnce(config.listen.host, peer, { op: 'error', code: r.code, message: r.message });
  }

  function ended(key: string, slot: Slot, result: 'completed' | FailReason): void {
    slots.delete(key);
    metrics.active.set(slots.size);
    if (result === 'completed') metrics.completed.inc();
    else metrics.failed.inc({ reason: result });
    slot.end();
  }

  async function serve(peer: Peer, key: string, slot: Slot, request: RequestPacket) {
    const at = now();
    const decision = decideRequest(request, config.aliases);
    if (decision.kind === 'refuse') return refuseRequest(peer, request, decision, at);
    const data = await files.read(decision.path, decision.mode);
    if (!(data instanceof Uint8Array)) return refuseRequest(peer, request, data, at);
    if (stopping) return;
    const plan = negotiate(request.options, data.length, {
      maxBlksize: config.max_blksize,
      maxWindowsize: config.max_windowsize,
      timeoutMs: config.retransmit_timeout_ms,
    });
    const transfer = new Transfer({ data, ...plan, retries: config.retries });
    const started = now();
    const served = { at, peer, request, path: decision.path, blksize: plan.blksize };
    const record = (result: 'completed' | FailReason, detail: Record<string, unknown>) =>
      history.add(servedRecord(served, data.length, transfer.blocksAcked, now(), result, detail));
    const log = { peer: key, file: request.filename, path: decision.path, mode: decision.mode };
    slot.session = await startSession({
      peer,
      bindHost: config.listen.host,
      transfer,
      timeoutMs: plan.timeoutMs,
      metrics,
      drop,
      onEnd: (result, detail) => {
        metrics.sentBytes.inc(transfer.bytesSent);
        record(result, detail);
        const seconds = (now() - started) / 1000;
        if (result === 'completed') metrics.duration.observe(seconds);
        const quiet = result === 'completed' || result === 'client_abort';
        logger[quiet ? 'info' : 'warn'](quiet ? `transfer ${result}` : 'transfer failed', {
          ...log,
          ...detail,
          result,
          bytes: data.length,
          blocks: transfer.blocksAcked,
          retransmissions: transfer.retransmissions,
          duration_ms: Math.round(seconds * 1000),
        });
        ended(key, slot, result);
      },
    });
    if (stopping) slot.session.abort('shutdown', 'server shutting down');
    metrics.started.inc();
    logger.info('transfer started', {
      ...log,
      size: data.length,
      blksize: plan.blksize,
      windowsize: plan.windowsize,
      options: plan.oack?.map((o) => `${o.name}=${o.value}`).join(',') ?? '',
    });
  }

  /** Why a datagram to the TFTP port starts no transfer, or null when it should. */
  function dropReason(packet: ReturnType<typeof decode>, key: string): string | null {
    if (packet instanceof DecodeError) return packet.reason;
    if (packet.op !== 'rrq' && packet.op !== 'wrq') return 'unexpected_opcode';
    if (stopping) return 'stopping';
    if (slots.has(key)) return 'duplicate_request';
    if (slots.size >= config.max_transfers) return 'busy';
    return null;
  }

  function onMessage(buf: Buffer, from: RemoteInfo): void {
    const key = `${from.address}:${from.port}`;
    const packet = decode(buf);
    const reason = dropReason(packet, key);
    if (reason !== null || packet instanceof DecodeError) {
      const detail = packet instanceof DecodeError ? { error: packet.message } : { op: packet.op };
      drop(reason ?? 'malformed', { from: key, ...detail });
      return;
    }
    if (packet.op !== 'rrq' && packet.op !== 'wrq') return;
    let end!: () => void;
    const done = new Promise<void>((resolve) => {
      end = resolve;
    });
    const slot: Slot = { ended: done, end };
    slots.set(key, slot);
    metrics.active.set(slots.size);
    serve({ address: from.address, port: from.port }, key, slot, packet)
      .catch((err: unknown) => {
        // e.g. EMFILE binding the transfer socket: the client retries its RRQ.
        metrics.dropped.inc({ reason: 'setup_error' });
        logger.error('transfer setup failed', { from: key, error: String(err) });
      })
      .finally(() => {
        if (!slot.session && slots.get(key) === slot) {
          slots.delete(key);
          metrics.active.set(slots.size);
          slot.end();
        }
      });
  }

  return {
    start: () =>
      new Promise((resolve, reject) => {
        const s = createSocket({
          type: config.listen.host.includes(':') ? 'udp6' : 'udp4',
          // Room for a boot wave's RRQs (the default, 208 KiB, holds ~256): the kernel caps it
          // at net.core.rmem_max.
          recvBufferSize: RECV_BUFFER_BYTES,
        });
        s.once('error', reject);
        s.bind({ address: config.listen.host, port: config.listen.port }, () => {
          s.off('error', reject);
          s.on('error', (err) => logger.error('tftp socket error', { error: err.message }));
          s.on('message', onMessage);
          socket = s;
          resolve(s.address().port);
        });
      }),
    async stop() {
      stopping = true;
      socket?.close();
      socket = undefined;
      for (const slot of slots.values()) slot.session?.abort('shutdown', 'server shutting down');
      await Promise.all([...slots.values()].map((s) => s.ended));
    },
    activeTransfers: () => slots.size,
  };
}
