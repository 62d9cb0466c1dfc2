import type { Counter, Gauge, Logger } from '@lanctl/core';
import type { Request, Response } from 'express';

export interface BroadcasterOptions {
  maxClients: number;
  heartbeatMs: number;
  /** At most one update per this many ms (a burst of changes becomes one update). */
  minIntervalMs: number;
  /** The current model, serialized: sent on connect and on each update. */
  snapshot: () => string;
  clients: Gauge;
  refused: Counter;
  logger: Logger;
}

/** A client that has this much unsent is dropped (it reconnects and gets the full model). */
const MAX_QUEUED = 4 * 1024 * 1024;

const frame = (json: string) => `data: ${json}\n\n`;

/** Server-sent events: `data: <model JSON>` per update, `: keepalive` comments between. */
export class Broadcaster {
  private readonly open = new Map<Response, () => void>();
  private pending: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private last = 0;

  constructor(private readonly o: BroadcasterOptions) {}

  get size(): number {
    return this.open.size;
  }

  /** GET handler: a text/event-stream of full models; 503 past `maxClients` or when stopped. */
  readonly handle = (req: Request, res: Response): void => {
    if (!this.heartbeat) {
      res.status(503).json({ error: { code: 'unavailable', message: 'the usermap is stopped' } });
      return;
    }
    if (this.open.size >= this.o.maxClients) {
      this.o.refused.inc();
      res
        .status(503)
        .set('retry-after', '10')
        .json({
          error: {
            code: 'too_many_clients',
            message: `at most ${this.o.maxClients} usermap viewers at once`,
          },
        });
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    const close = () => {
      if (!this.open.delete(res)) return;
      this.o.clients.set(this.open.size);
      res.destroy();
    };
    this.open.set(res, close);
    this.o.clients.set(this.open.size);
    req.on('close', close);
    res.write(`retry: 3000\n\n${frame(this.o.snapshot())}`);
  };

  /** Something changed: schedule an update, at most one per `minIntervalMs`. */
  changed(): void {
    if (this.pending) return;
    const wait = Math.max(0, this.last + this.o.minIntervalMs - Date.now());
    this.pending = setTimeout(() => this.flush(), wait);
    this.pending.unref();
  }

  /** Starts the heartbeats. */
  start(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => this.sendAll(': keepalive\n\n'), this.o.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Ends every stream and the heartbeats. */
  stop(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = null;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    for (const close of [...this.open.values()]) close();
  }

  private flush(): void {
    this.pending = null;
    this.last = Date.now();
    if (this.open.size > 0) this.sendAll(frame(this.o.snapshot()));
  }

  private sendAll(text: string): void {
    for (const [res, close] of [...this.open]) {
      if (res.writableLength > MAX_QUEUED) {
        this.o.logger.warn('usermap viewer too slow, dropped', {
          remote: res.req.socket.remoteAddress,
        });
        close();
      } else {
        res.write(text);
      }
    }
  }
}
