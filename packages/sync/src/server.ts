import { type Principal, principalOf, tokenExpiryOf } from '@lanctl/auth';
import { AppError, forbidden, type Logger, unauthorized } from '@lanctl/core';
import { type Request, Router } from 'express';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Hub, Subscriber } from './hub.ts';
import { encodeChange, encodeSnapshot, KEEP_ALIVE } from './wire.ts';

/** Who may read a table's stream, and what of each record they may see. */
export interface StreamAccess {
  /** Scope a token needs to read this table. */
  scope: string;
  /** Strips what this principal may not see (e.g. password hashes without `users:hashes`). */
  redact?(record: unknown, principal: Principal): unknown;
}

/** What the stream server reads from: one hub (owners), or a relay's hub per table. */
export type StreamSource = Pick<Hub, 'hasTable' | 'subscribe' | 'subscriberCount'>;

export interface StreamServerOptions {
  hub: StreamSource;
  access: Record<string, StreamAccess>;
  logger: Logger;
  metrics: Registry;
  service: string;
  /** Bytes a subscriber may have queued before it is cut off (it then resumes by itself). */
  maxBufferBytes?: number;
  keepAliveMs?: number;
}

/**
 * `GET /sync/:table` (mounted under /api/v1): the native stream as Server-Sent Events. Resumes from
 * `Last-Event-ID` or `?since=`; a subscriber that cannot keep up is cut off with a logged reason
 * once its queue passes the bound, so memory never grows without limit.
 */
export interface StreamServer {
  router: Router;
  /** Ends every open stream (shutdown): subscribers resume elsewhere or after the restart. */
  closeAll(): void;
}

/** The longest delay a Node.js timer takes (2^31 - 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function createStreamServer(options: StreamServerOptions): StreamServer {
  const { hub, access, logger } = options;
  const maxBuffer = options.maxBufferBytes ?? 8 * 1024 * 1024;
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const prefix = `lanctl_${options.service}_sync`;
  new Gauge({
    name: `${prefix}_subscribers`,
    help: 'Native stream subscribers connected',
    registers: [options.metrics],
    collect() {
      this.set(hub.subscriberCount());
    },
  });
  const cutOff = new Counter({
    name: `${prefix}_subscribers_cut_off_total`,
    help: 'Subscribers disconnected for falling too far behind',
    registers: [options.metrics],
  });
  const open = new Set<() => void>();
  const router = Router();
  router.get('/sync/:table', async (req, res) => {
    const principal = principalOf(res);
    if (!principal) throw unauthorized();
    const table = req.params.table as string;
    const rule = access[table];
    if (!rule || !hub.hasTable(table)) throw new AppError(404, 'not_found', `no stream "${table}"`);
    if (!principal.scopes.includes(rule.scope))
      throw forbidden(`reading ${table} needs the ${rule.scope} scope`);
    const since = resumePoint(req);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
    });
    res.flushHeaders();
    const redact = (record: unknown) => (rule.redact ? rule.redact(record, principal) : record);
    let closed = false;
    let expiry: NodeJS.Timeout | undefined;
    const close = (reason?: string) => {
      if (closed) return;
      closed = true;
      open.delete(close);
      if (reason)
        logger.warn('stream subscriber cut off', {
          table,
          reason,
          remote: req.socket.remoteAddress,
        });
      unsubscribe?.();
      clearInterval(keepAlive);
      clearTimeout(expiry);
      res.destroy();
    };
    // The token is checked once, at the start: the stream ends when it expires, and the
    // subscriber's next try is refused (a web page whose session ended asks for a login).
    const endAtExpiry = () => {
      const left = (tokenExpiryOf(res) ?? Number.POSITIVE_INFINITY) - Date.now();
      if (left === Number.POSITIVE_INFINITY) return;
      if (left <= 0) {
        logger.info('stream ended: its token expired', { table, subject: principal.subject });
        return close();
      }
      // A timer holds at most ~24.8 days; a service token lives a year: wait again then.
      expiry = setTimeout(endAtExpiry, Math.min(left, MAX_TIMER_MS));
      expiry.unref();
    };
    // The bound applies to what is still queued from earlier writes: a snapshot larger than the
    // bound is always sent whole, or a subscriber of a big table would be cut off at every try.
    const write = (text: string) => {
      if (closed) return;
      if (res.writableLength > maxBuffer) {
        cutOff.inc();
        close(`more than ${maxBuffer} bytes queued`);
        return;
      }
      res.write(text);
    };
    const subscriber: Subscriber = {
      send(event) {
        if (event.type === 'snapshot') {
          const items = event.data.items.map((i) => ({ id: i.id, record: redact(i.record) }));
          write(encodeSnapshot({ ...event.data, items }));
        } else {
          write(encodeChange({ ...event.data, record: redact(event.data.record) }));
        }
      },
    };
    const keepAlive = setInterval(() => write(KEEP_ALIVE), keepAliveMs);
    endAtExpiry();
    let unsubscribe: (() => void) | undefined;
    open.add(close);
    req.on('close', () => close());
    unsubscribe = await hub.subscribe(table, since, subscriber);
    if (closed) unsubscribe();
  });
  return {
    router,
    closeAll() {
      for (const close of [...open]) close();
    },
  };
}

function resumePoint(req: Request): number | null {
  const header = req.headers['last-event-id'];
  const query = req.query.since;
  const raw = typeof header === 'string' ? header : typeof query === 'string' ? query : undefined;
  if (raw === undefined || raw === '') return null;
  if (!/^\d{1,15}$/.test(raw)) {
    throw new AppError(400, 'invalid_request', 'Last-Event-ID / since must be a revision number');
  }
  return Number(raw);
}
