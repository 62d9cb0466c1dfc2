import type { DataPacket, TftpPacket } from '@lanctl/tftp-wire';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Transfer, type TransferPlan } from './transfer.ts';

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 251);
const plan = (over: Partial<TransferPlan> = {}): TransferPlan => ({
  data: bytes(1000),
  blksize: 512,
  windowsize: 1,
  oack: null,
  retries: 2,
  ...over,
});
const blocks = (packets: TftpPacket[]) => packets.map((p) => (p as DataPacket).block);

describe('Transfer', () => {
  it('sends DATA 1 at once without options, then one block per ACK, and ends on the last', () => {
    const t = new Transfer(plan());
    expect(blocks(t.start())).toEqual([1]);
    const second = t.onAck(1);
    expect(second.kind === 'send' && blocks(second.packets)).toEqual([2]);
    expect(t.onAck(2)).toEqual({ kind: 'done' });
  });

  it('sends a final empty block when the size is a multiple of blksize', () => {
    const t = new Transfer(plan({ data: bytes(1024) }));
    expect(t.lastBlock).toBe(3);
    t.start();
    t.onAck(1);
    const last = t.onAck(2);
    expect(last.kind === 'send' && (last.packets[0] as DataPacket).data.length).toBe(0);
  });

  it('waits for ACK 0 after an OACK', () => {
    const t = new Transfer(plan({ oack: [{ name: 'tsize', value: '1000' }] }));
    expect(t.start()).toEqual([{ op: 'oack', options: [{ name: 'tsize', value: '1000' }] }]);
    expect(t.onAck(1)).toEqual({ kind: 'ignore', why: 'stale' });
    const first = t.onAck(0);
    expect(first.kind === 'send' && blocks(first.packets)).toEqual([1]);
    expect(t.onTimeout()).toMatchObject({ kind: 'resend', packets: [{ op: 'data', block: 1 }] });
  });

  it('never answers a duplicate ACK (no Sorcerer’s Apprentice)', () => {
    const t = new Transfer(plan({ data: bytes(5000) }));
    t.start();
    expect(t.onAck(1).kind).toBe('send');
    expect(t.onAck(1)).toEqual({ kind: 'ignore', why: 'duplicate' });
    expect(t.onAck(0)).toEqual({ kind: 'ignore', why: 'stale' });
  });

  it('resends the window on timeout and gives up after the retries', () => {
    const t = new Transfer(plan({ data: bytes(5000), windowsize: 3 }));
    expect(blocks(t.start())).toEqual([1, 2, 3]);
    const again = t.onTimeout();
    expect(again.kind === 'resend' && blocks(again.packets)).toEqual([1, 2, 3]);
    const partial = t.onAck(2); // block 3 was lost: the window restarts after 2
    expect(partial.kind === 'send' && blocks(partial.packets)).toEqual([3, 4, 5]);
    expect(t.onTimeout().kind).toBe('resend');
    expect(t.onTimeout().kind).toBe('resend');
    expect(t.onTimeout()).toEqual({ kind: 'give_up' });
    expect(t.retransmissions).toBe(3);
  });

  it('numbers blocks modulo 2^16: 65535 is followed by 0', () => {
    const t = new Transfer(plan({ data: bytes(8 * 65537), blksize: 8 }));
    t.start();
    let out = t.onAck(1);
    for (let n = 2; n <= 65535; n++) out = t.onAck(n & 0xffff);
    expect(out.kind === 'send' && blocks(out.packets)).toEqual([0]);
    out = t.onAck(0);
    expect(out.kind === 'send' && blocks(out.packets)).toEqual([1]);
    expect(t.onAck(65535)).toEqual({ kind: 'ignore', why: 'stale' });
    out = t.onAck(1);
    expect(out.kind === 'send' && (out.packets[0] as DataPacket).data.length).toBe(0);
    expect(t.onAck(2)).toEqual({ kind: 'done' });
  });
});

/**
 * A receiver (RFC 1350 / 7440: it ACKs the last block received in order) over a channel that
 * loses packets both ways gets the file whole, in order.
 */
it('delivers the exact bytes through any pattern of losses (property)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 3000 }),
      fc.constantFrom(8, 100, 512),
      fc.integer({ min: 1, max: 8 }),
      fc.boolean(),
      fc.infiniteStream(fc.boolean()),
      (size, blksize, windowsize, withOack, lose) => {
        const data = bytes(size);
        const oack = withOack ? [{ name: 'blksize', value: String(blksize) }] : null;
        const t = new Transfer({ data, blksize, windowsize, oack, retries: 1_000_000 });
        const got: Uint8Array[] = [];
        let expected = 1;
        let inFlight = t.start();
        for (let steps = 0; steps < 100_000; steps++) {
          let ack: number | undefined;
          for (const p of inFlight) {
            if (lose.next().value) continue;
            if (p.op === 'oack') ack = 0;
            else if (p.op === 'data' && p.block === (expected & 0xffff)) {
              got.push(p.data);
              expected++;
              ack = p.block;
            } else ack = (expected - 1) & 0xffff; // a duplicate or a gap: ACK the last in order
          }
          const outcome = ack === undefined || lose.next().value ? undefined : t.onAck(ack);
          if (outcome?.kind === 'done') break;
          inFlight =
            outcome?.kind === 'send'
              ? outcome.packets
              : (t.onTimeout() as { packets: TftpPacket[] }).packets;
        }
        expect(Buffer.concat(got)).toEqual(Buffer.from(data));
      },
    ),
    { numRuns: 300 },
  );
});
