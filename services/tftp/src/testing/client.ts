/** A scriptable TFTP client for tests: every packet is the test's to send (or not). */
import { createSocket, type Socket } from 'node:dgram';
import { DecodeError, decode, encode, type TftpOption, type TftpPacket } from '@lanctl/tftp-wire';

interface Received {
  packet: TftpPacket;
  port: number;
}

/** A TFTP client socket on 127.0.0.1 whose every step the test writes. */
export class ScriptedClient {
  private readonly socket: Socket = createSocket('udp4');
  private readonly queue: Received[] = [];
  private waiting: ((r: Received | null) => void) | undefined;
  /** The server's transfer port (its TID), learnt from its first answer. */
  tid = 0;

  static async open(): Promise<ScriptedClient> {
    const client = new ScriptedClient();
    await new Promise<void>((r) => client.socket.bind(0, '127.0.0.1', () => r()));
    client.socket.on('message', (buf, from) => {
      const packet = decode(buf);
      if (packet instanceof DecodeError) throw new Error(`server sent garbage: ${packet.message}`);
      const item = { packet, port: from.port };
      if (client.waiting) {
        const w = client.waiting;
        client.waiting = undefined;
        w(item);
      } else client.queue.push(item);
    });
    return client;
  }

  send(packet: TftpPacket, port = this.tid): Promise<void> {
    return new Promise((r, j) =>
      this.socket.send(encode(packet), port, '127.0.0.1', (e) => (e ? j(e) : r())),
    );
  }

  private pendingRequest: (() => Promise<void>) | undefined;

  /** Sends an RRQ; until the first answer, `expect` sends it again after each second of silence. */
  request(port: number, filename: string, options: TftpOption[] = [], mode = 'octet') {
    this.pendingRequest = () => this.send({ op: 'rrq', filename, mode, options }, port);
    return this.pendingRequest();
  }

  /** The next packet, or null after `ms` of silence (a bound, not an assertion). */
  next(ms = 5000): Promise<Received | null> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((r) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        r(null);
      }, ms);
      this.waiting = (item) => {
        clearTimeout(timer);
        r(item);
      };
    });
  }

  /** The next packet, which must come; remembers the server's TID. */
  async expect(): Promise<TftpPacket> {
    let got = await this.next(this.pendingRequest ? 1000 : 5000);
    for (let resend = 0; !got && this.pendingRequest && resend < 4; resend++) {
      await this.pendingRequest(); // as PXE ROMs do when their RRQ (or its answer) was lost
      got = await this.next(1000);
    }
    if (!got) throw new Error('no answer from the server');
    this.pendingRequest = undefined;
    this.tid = got.port;
    return got.packet;
  }

  /**
   * Reads a whole file after the request (and the OACK, if any), acknowledging every block;
   * `skipAck(block, seen)` returning true leaves an ACK out (a lost ACK); `from`: the first
   * block expected (2 when the test took block 1 itself).
   */
  async download(
    blksize: number,
    skipAck: (block: number, seen: number) => boolean = () => false,
    from = 1,
  ) {
    const chunks: Uint8Array[] = [];
    const seen = new Map<number, number>();
    let expected = from;
    for (;;) {
      const p = await this.expect();
      if (p.op === 'oack') {
        await this.send({ op: 'ack', block: 0 });
        continue;
      }
      if (p.op !== 'data') throw new Error(`expected DATA, got ${JSON.stringify(p)}`);
      const count = (seen.get(p.block) ?? 0) + 1;
      seen.set(p.block, count);
      if (p.block === (expected & 0xffff) && count === 1) {
        chunks.push(p.data);
        expected++;
      }
      if (skipAck(p.block, count)) continue;
      await this.send({ op: 'ack', block: p.block });
      if (p.block === ((expected - 1) & 0xffff) && p.data.length < blksize) break;
    }
    return { data: Buffer.concat(chunks), seen };
  }

  close(): void {
    this.socket.close();
  }
}
