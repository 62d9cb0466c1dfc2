import type { TftpOption, TftpPacket } from '@lanctl/tftp-wire';

export interface TransferPlan {
  data: Uint8Array;
  blksize: number;
  windowsize: number;
  oack: TftpOption[] | null;
  /** Retransmissions of the same window before giving up. */
  retries: number;
}

export type AckOutcome =
  | { kind: 'send'; packets: TftpPacket[] }
  | { kind: 'done' }
  /** An ACK already seen (never answered: no Sorcerer's Apprentice) or older than the window. */
  | { kind: 'ignore'; why: 'duplicate' | 'stale' };

export type TimeoutOutcome = { kind: 'resend'; packets: TftpPacket[] } | { kind: 'give_up' };

/**
 * The sending side of one read transfer, without socket or clock: blocks are numbered from 1
 * without bound and sent modulo 2^16 (block 65535 is followed by block 0, as tftp-hpa, curl and
 * iPXE expect). With an OACK, the client's ACK 0 comes before DATA 1. With a window (RFC 7440),
 * up to `windowsize` blocks are in flight and an ACK restarts the window after the block it names.
 */
export class Transfer {
  /** Number of blocks: the last one is shorter than blksize (possibly empty). */
  readonly lastBlock: number;
  /** Highest block acknowledged; -1 while the OACK awaits its ACK 0. */
  private acked: number;
  /** Highest block sent (0: only the OACK, or nothing yet). */
  private sent = 0;
  private failures = 0;
  /** DATA payload bytes sent, retransmissions included. */
  bytesSent = 0;
  retransmissions = 0;

  constructor(private readonly plan: TransferPlan) {
    this.lastBlock = Math.floor(plan.data.length / plan.blksize) + 1;
    this.acked = plan.oack ? -1 : 0;
  }

  get blocksAcked(): number {
    return Math.max(this.acked, 0);
  }

  /** The first packets: the OACK, or the first window of DATA. */
  start(): TftpPacket[] {
    return this.plan.oack ? [{ op: 'oack', options: this.plan.oack }] : this.window();
  }

  onAck(block: number): AckOutcome {
    // The only block number in [acked, sent] with these low 16 bits (the window is < 2^16).
    const absolute = this.sent - ((this.sent - block) & 0xffff);
    if (absolute < this.acked || absolute < 0) return { kind: 'ignore', why: 'stale' };
    if (absolute === this.acked) return { kind: 'ignore', why: 'duplicate' };
    this.acked = absolute;
    this.failures = 0;
    if (this.acked >= this.lastBlock) return { kind: 'done' };
    return { kind: 'send', packets: this.window() };
  }

  onTimeout(): TimeoutOutcome {
    if (this.failures >= this.plan.retries) return { kind: 'give_up' };
    this.failures++;
    this.retransmissions++;
    if (this.acked < 0) return { kind: 'resend', packets: this.start() };
    return { kind: 'resend', packets: this.window() };
  }

  /** DATA acked+1 … acked+windowsize (at most the last block). */
  private window(): TftpPacket[] {
    const first = this.acked + 1;
    const last = Math.min(this.acked + this.plan.windowsize, this.lastBlock);
    const packets: TftpPacket[] = [];
    for (let n = first; n <= last; n++) packets.push(this.block(n));
    this.sent = Math.max(this.sent, last);
    return packets;
  }

  private block(n: number): TftpPacket {
    const { data, blksize } = this.plan;
    const chunk = data.subarray((n - 1) * blksize, Math.min(n * blksize, data.length));
    this.bytesSent += chunk.length;
    return { op: 'data', block: n & 0xffff, data: chunk };
  }
}
