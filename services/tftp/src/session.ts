import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { DecodeError, decode, ERROR_CODE, encode, type TftpPacket } from '@lanctl/tftp-wire';
import type { FailReason, TftpMetrics } from './metrics.ts';
import type { Transfer } from './transfer.ts';

export interface Peer {
  address: string;
  port: number;
}

export interface SessionOptions {
  peer: Peer;
  /** Address the transfer socket binds (the listening address), on an ephemeral port. */
  bindHost: string;
  transfer: Transfer;
  timeoutMs: number;
  metrics: TftpMetrics;
  /** Drops are counted here (and logged at a bounded rate) by the server. */
  drop: (reason: string, detail: Record<string, unknown>) => void;
  /** Called once; `detail` says why a transfer failed (the client's ERROR, a socket error). */
  onEnd: (result: 'completed' | FailReason, detail: Record<string, unknown>) => void;
}

export interface Session {
  /** Ends the transfer at once: an ERROR 0 with `message` to the client, then the socket closes. */
  abort(reason: FailReason, message: string): void;
}

const udpType = (host: string) => (host.includes(':') ? 'udp6' : 'udp4');

/**
 * One read transfer on its own socket (its TID, RFC 1350 §4): sends what the Transfer decides,
 * retransmits on timeout, answers ERROR 5 to any other sender, and ends on the last ACK, an
 * ERROR from the client (error 8: the client refused the options, e.g. EDK2's tsize probe),
 * exhausted retries or `abort`.
 */
class TransferSession implements Session {
  private readonly socket: Socket;
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(private readonly o: SessionOptions) {
    this.socket = createSocket({ type: udpType(o.bindHost) });
  }

  start(): Promise<Session> {
    return new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind({ address: this.o.bindHost, port: 0 }, () => {
        this.socket.off('error', reject);
        this.socket.on('error', (err) => this.finish('send_error', { error: err.message }));
        this.socket.on('message', (buf, from) => this.onMessage(buf, from));
        this.sendAll(this.o.transfer.start());
        resolve(this);
      });
    });
  }

  abort(reason: FailReason, message: string): void {
    if (this.ended) return;
    clearTimeout(this.timer);
    const error = { op: 'error' as const, code: ERROR_CODE.notDefined, message };
    this.send(error, this.o.peer, () => this.finish(reason));
  }

  private send(packet: TftpPacket, to: Peer = this.o.peer, then?: () => void): void {
    this.socket.send(encode(packet), to.port, to.address, (err) => {
      if (err && !this.ended) this.finish('send_error', { error: err.message });
      then?.();
    });
  }

  private sendAll(packets: TftpPacket[]): void {
    for (const p of packets) this.send(p);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.onTimeout(), this.o.timeoutMs);
  }

  private finish(result: 'completed' | FailReason, detail: Record<string, unknown> = {}): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    this.socket.close();
    this.o.onEnd(result, detail);
  }

  private onTimeout(): void {
    const outcome = this.o.transfer.onTimeout();
    if (outcome.kind === 'give_up') {
      this.finish('timeout');
      return;
    }
    this.o.metrics.retransmissions.inc(outcome.packets.length);
    this.sendAll(outcome.packets);
  }

  private onMessage(buf: Buffer, from: RemoteInfo): void {
    if (this.ended) return;
    const { peer, drop } = this.o;
    if (from.address !== peer.address || from.port !== peer.port) {
      drop('unknown_tid', { from: `${from.address}:${from.port}` });
      const error = { op: 'error' as const, code: ERROR_CODE.unknownTransferId };
      this.send({ ...error, message: 'unknown transfer ID' }, from);
      return;
    }
    const packet = decode(buf);
    if (packet instanceof DecodeError) {
      drop(packet.reason, { from: `${from.address}:${from.port}`, error: packet.message });
    } else if (packet.op === 'ack') {
      const outcome = this.o.transfer.onAck(packet.block);
      if (outcome.kind === 'done') this.finish('completed');
      else if (outcome.kind === 'send') this.sendAll(outcome.packets);
    } else if (packet.op === 'error') {
      const aborted = packet.code === ERROR_CODE.optionRefused;
      const detail = { code: packet.code, message: packet.message };
      this.finish(aborted ? 'client_abort' : 'client_error', detail);
    } else {
      drop('unexpected_opcode', { op: packet.op, from: `${from.address}:${from.port}` });
    }
  }
}

/** Binds the transfer's socket and sends its first packets; resolves once they are on their way. */
export function startSession(options: SessionOptions): Promise<Session> {
  return new TransferSession(options).start();
}

/** One packet from a throwaway socket on `bindHost` (a refusal's ERROR, from its own TID). */
export function sendOnce(bindHost: string, peer: Peer, packet: TftpPacket): Promise<void> {
  const socket = createSocket({ type: udpType(bindHost) });
  return new Promise((resolve, reject) => {
    socket.once('error', (err) => {
      try {
        socket.close();
      } catch {
        // already closed by the send callback
      }
      reject(err);
    });
    socket.bind({ address: bindHost, port: 0 }, () => {
      socket.send(encode(packet), peer.port, peer.address, (err) => {
        socket.close();
        if (err) reject(err);
        else resolve();
      });
    });
  });
}
