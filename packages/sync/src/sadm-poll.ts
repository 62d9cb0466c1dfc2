import { checkTimeauthToken } from '@lanctl/auth';
import { AppError, type FieldIssue, isAppError, type Logger } from '@lanctl/core';
import { type Request, type Response, Router } from 'express';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Hub, Subscriber } from './hub.ts';
import type { ChangeEvent } from './wire.ts';

/**
 * SADM's sync protocol (`prologin/synchronisation.py`) served from the same hub as the native
 * streams, so it is fed from the change log and never loses a batch:
 *
 *   GET  /poll?data={}&hmac=<timeauth over "None">   → 200, one JSON message per line, forever
 *   POST /update  (form: data=<JSON items>, hmac=<timeauth over data>)   → 200, empty body
 *
 * A message is a JSON array of `{"type": "update"|"delete", "data": <record>}` items; the first
 * line is the backlog (every current record as an `update`), then one line per applied batch.
 */
export interface SadmItem {
  type: 'update' | 'delete';
  data: Record<string, unknown>;
}

/** How a hub table appears on SADM's wire. */
export interface SadmTable<R = any> {
  table: string;
  /** SADM's primary key of a record (`mac` for machines, `login` for users). */
  key(record: R): string;
  /** The record as SADM's subscribers expect it. */
  toSadm(record: R): object;
}

export interface SadmPollOptions {
  hub: Hub;
  tables: SadmTable[];
  /** Verifies `/poll` tokens (SADM's `sub_secret`); null refuses every subscriber. */
  subSecret: Buffer | null;
  /** Verifies `/update` signatures (SADM's `pub_secret`); null refuses every publisher. */
  pubSecret?: Buffer | null;
  /**
   * Applies published items to the owner's database, so they reach every subscriber through the
   * change log like any write. Validates every item before applying any; an AppError's status
   * and message are the answer.
   */
  onUpdate?: (items: SadmItem[]) => Promise<void>;
  logger: Logger;
  metrics: Registry;
  service: string;
  keepAliveMs?: number;
  /** Bytes a subscriber may have queued before it is cut off (it then reconnects by itself). */
  maxBufferBytes?: number;
  /** Largest `/update` body, in bytes. */
  bodyLimit?: number;
}

export interface SadmPollServer {
  router: Router;
  /** Ends every open `/poll` (shutdown): SADM clients reconnect on the clean EOF. */
  closeAll(): void;
}

type Decoded = { ok: true; items: SadmItem[] } | { ok: false; reason: string };

/** One message on the wire: `json.dumps(items) + "\n"` (Python's spacing is not needed). */
export function encodeSadmMessage(items: SadmItem[]): string {
  return `${JSON.stringify(items)}\n`;
}

/** A published message (`/update`'s `data`): an array of `{type, data}` objects, or why not. */
export function decodeSadmMessage(text: string): Decoded {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'data is not JSON' };
  }
  if (!Array.isArray(value)) return { ok: false, reason: 'data must be a JSON array of items' };
  const items: SadmItem[] = [];
  for (const [i, item] of value.entries()) {
    if (!isObject(item)) return { ok: false, reason: `item ${i}: expected {"type", "data"}` };
    if (item.type !== 'update' && item.type !== 'delete')
      return { ok: false, reason: `item ${i}: type must be "update" or "delete"` };
    if (!isObject(item.data)) return { ok: false, reason: `item ${i}: data must be an object` };
    items.push({ type: item.type, data: item.data });
  }
  return { ok: true, items };
}

/**
 * The SADM items for one change applied to the hub. SADM's subscribers key their state by the
 * primary key, so a change of it (a machine's MAC) is a delete of the old record, then an update.
 */
export function sadmItemsForChange(
  table: SadmTable,
  change: ChangeEvent,
  previous: unknown,
): SadmItem[] {
  const data = (record: unknown) => table.toSadm(record) as Record<string, unknown>;
  if (change.op === 'delete') return [{ type: 'delete', data: data(change.record) }];
  const items: SadmItem[] = [];
  if (previous !== undefined && table.key(previous) !== table.key(change.record))
    items.push({ type: 'delete', data: data(previous) });
  items.push({ type: 'update', data: data(change.record) });
  return items;
}

/** An invalid published item: 422 naming its index in the batch, and what is wrong with it. */
export function sadmItemError(index: number, problem: string | FieldIssue[]): AppError {
  const issues = typeof problem === 'string' ? [{ field: '(item)', message: problem }] : problem;
  const summary = issues.map((f) =>
    f.field === '(item)' ? f.message : `${f.field}: ${f.message}`,
  );
  return new AppError(422, 'unprocessable', `item ${index}: ${summary.join('; ')}`, {
    details: issues,
  });
}

/** A store's refusal of item `index` (a conflict, a full pool), its status kept. */
export function inSadmItem(index: number, e: unknown): unknown {
  if (!isAppError(e)) return e;
  return new AppError(e.status, e.code, `item ${index}: ${e.message}`, {
    details: e.details,
    cause: e,
  });
}

/**
 * The keep-alive is one space byte, without a newline. SADM's blocking client reconnects on an
 * empty or undecodable line, and its DHCP and DNS writers regenerate (and restart dhcpd) on every
 * message, even an empty `[]`: a keep-alive line would restart dhcpd every 15 s. A lone space
 * keeps proxies and NAT tables from dropping the idle connection, and is just leading whitespace
 * on the next JSON line, which `json.loads` accepts.
 */
const KEEP_ALIVE = ' ';

interface Metrics {
  cutOff: Counter;
  refused: Counter<'endpoint' | 'status'>;
  items: Counter<'type'>;
}

export function sadmPollRouter(options: SadmPollOptions): SadmPollServer {
  const { hub, logger } = options;
  if (options.tables.length === 0) throw new Error('sadmPollRouter: tables must not be empty');
  for (const t of options.tables) {
    if (!hub.hasTable(t.table))
      throw new Error(`sadmPollRouter: the hub has no table "${t.table}"`);
  }
  const open = new Set<() => void>();
  const metrics = pollMetrics(options, () => open.size);
  const router = Router();
  router.get('/poll', async (req, res) => {
    const verdict = verify(queryArgs(req), options.subSecret, false);
    if (!verdict.ok) return refuse(res, 'poll', verdict, metrics);
    if (!hub.ready) return text(res, 503, 'Not ready');
    await streamPoll(req, res, { ...options, open, cutOff: metrics.cutOff });
  });
  router.post('/update', async (req, res) => {
    const args = queryArgs(req);
    const body = await readForm(req, options.bodyLimit ?? 1024 * 1024);
    if (!body.ok) return text(res, 413, body.reason);
    for (const [name, value] of body.args) args.append(name, value);
    const secret = options.onUpdate ? (options.pubSecret ?? null) : null;
    const verdict = verify(args, secret, true);
    if (!verdict.ok) return refuse(res, 'update', verdict, metrics);
    const decoded = decodeSadmMessage(verdict.data);
    if (!decoded.ok) return text(res, 400, decoded.reason);
    try {
      await options.onUpdate!(decoded.items);
    } catch (e) {
      if (isAppError(e) && e.status < 500) return text(res, e.status, e.message);
      logger.error('sadm /update failed', { error: (e as Error)?.stack ?? String(e) });
      return text(res, 500, 'Internal error');
    }
    for (const item of decoded.items) metrics.items.inc({ type: item.type });
    logger.info('sadm /update applied', { items: decoded.items.length });
    res.status(200).end();
  });
  return {
    router,
    closeAll() {
      for (const close of [...open]) close();
    },
  };
}

interface PollContext extends SadmPollOptions {
  open: Set<() => void>;
  cutOff: Counter;
}

/**
 * One subscriber: subscribes to every table (their snapshots make the backlog line, changes
 * arriving meanwhile wait behind it), then writes each change; the changes of one hub batch
 * arrive in the same tick and leave as one line.
 */
async function streamPoll(req: Request, res: Response, ctx: PollContext): Promise<void> {
  res.writeHead(200, {
    'content-type': 'application/x-ndjson; charset=utf-8',
    'cache-control': 'no-store',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  await new PollStream(req, res, ctx).start();
}

class PollStream {
  /** Records of the first line, until it is written. */
  private backlog: SadmItem[] | null = [];
  private pending: SadmItem[] = [];
  private scheduled = false;
  private closed = false;
  private keepAlive: NodeJS.Timeout | undefined;
  private readonly unsubscribes: (() => void)[] = [];
  private readonly maxBuffer: number;
  private readonly shutdown = () => this.close('end');

  constructor(
    private readonly req: Request,
    private readonly res: Response,
    private readonly ctx: PollContext,
  ) {
    this.maxBuffer = ctx.maxBufferBytes ?? 8 * 1024 * 1024;
  }

  async start(): Promise<void> {
    this.ctx.open.add(this.shutdown);
    this.res.on('close', () => this.close('destroy'));
    for (const table of this.ctx.tables) {
      const unsubscribe = await this.ctx.hub.subscribe(table.table, null, this.subscriber(table));
      if (this.closed) return unsubscribe();
      this.unsubscribes.push(unsubscribe);
    }
    this.write(encodeSadmMessage(this.backlog!));
    this.backlog = null;
    this.flush();
    this.keepAlive = setInterval(() => this.write(KEEP_ALIVE), this.ctx.keepAliveMs ?? 15_000);
  }

  private subscriber(table: SadmTable): Subscriber {
    return {
      send: (event) => {
        if (event.type === 'change')
          return this.queue(sadmItemsForChange(table, event.data, event.previous));
        // SADM has no "reset": a clean EOF makes its client reconnect to a fresh backlog.
        if (this.backlog === null) return this.close('end');
        for (const item of event.data.items) {
          const data = table.toSadm(item.record) as Record<string, unknown>;
          this.backlog.push({ type: 'update', data });
        }
      },
    };
  }

  private queue(items: SadmItem[]): void {
    this.pending.push(...items);
    if (this.backlog !== null || this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    const items = this.pending;
    this.pending = [];
    this.write(encodeSadmMessage(items));
  }

  /** Cuts off on what was queued before this write: a large backlog alone never does. */
  private write(chunk: string): void {
    if (this.closed) return;
    const queued = this.res.writableLength;
    this.res.write(chunk);
    if (queued > this.maxBuffer) {
      this.ctx.cutOff.inc();
      this.close('destroy', `more than ${this.maxBuffer} bytes queued`);
    }
  }

  private close(how: 'end' | 'destroy', reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ctx.open.delete(this.shutdown);
    clearInterval(this.keepAlive);
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    if (reason)
      this.ctx.logger.warn('sadm poll subscriber cut off', {
        reason,
        remote: this.req.socket.remoteAddress,
      });
    if (how === 'end') this.res.end();
    else this.res.destroy();
  }
}

type Verdict = { ok: true; data: string } | { ok: false; status: 400 | 403; reason: string };

/**
 * SADM's `signature_checked`: both arguments are required (400), the token is timeauth with the
 * `data` text as message (`/update`) or Python's `None` (`/poll`). No secret refuses everyone.
 */
function verify(args: URLSearchParams, secret: Buffer | null, signsData: boolean): Verdict {
  const token = args.getAll('hmac').at(-1);
  const data = args.getAll('data').at(-1);
  if (token === undefined) return { ok: false, status: 400, reason: 'Missing argument hmac' };
  if (data === undefined) return { ok: false, status: 400, reason: 'Missing argument data' };
  if (!secret || !checkTimeauthToken(secret, token, signsData ? data : null).ok)
    return { ok: false, status: 403, reason: 'Invalid token' };
  return { ok: true, data };
}

function refuse(res: Response, endpoint: string, verdict: Verdict, metrics: Metrics): void {
  if (verdict.ok) return;
  metrics.refused.inc({ endpoint, status: String(verdict.status) });
  text(res, verdict.status, verdict.reason);
}

function text(res: Response, status: number, body: string): void {
  res.status(status).type('text/plain').send(body);
}

/** Query arguments as tornado's `get_argument` sees them (the last value of a name wins). */
function queryArgs(req: Request): URLSearchParams {
  const at = req.originalUrl.indexOf('?');
  return new URLSearchParams(at === -1 ? '' : req.originalUrl.slice(at + 1));
}

type Form = { ok: true; args: URLSearchParams } | { ok: false; reason: string };

/** A form-encoded body's fields; any other body is read and ignored (its fields are missing). */
function readForm(req: Request, limit: number): Promise<Form> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const isForm = type === 'application/x-www-form-urlencoded';
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (form: Form) => {
      if (done) return;
      done = true;
      resolve(form);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish({ ok: false, reason: `body exceeds ${limit} bytes` });
      else if (isForm) chunks.push(chunk);
    });
    req.on('end', () =>
      finish({ ok: true, args: new URLSearchParams(Buffer.concat(chunks).toString('utf8')) }),
    );
    req.on('error', () => finish({ ok: true, args: new URLSearchParams() }));
  });
}

function pollMetrics(options: SadmPollOptions, subscribers: () => number): Metrics {
  const prefix = `lanctl_${options.service}_sadm_sync`;
  const registers = [options.metrics];
  new Gauge({
    name: `${prefix}_subscribers`,
    help: 'SADM /poll subscribers connected',
    registers,
    collect() {
      this.set(subscribers());
    },
  });
  return {
    cutOff: new Counter({
      name: `${prefix}_subscribers_cut_off_total`,
      help: 'SADM /poll subscribers disconnected for falling too far behind',
      registers,
    }),
    refused: new Counter({
      name: `${prefix}_refused_total`,
      help: 'SADM /poll and /update requests refused, by endpoint and status (400, 403)',
      labelNames: ['endpoint', 'status'],
      registers,
    }),
    items: new Counter({
      name: `${prefix}_update_items_total`,
      help: 'Items applied from SADM /update, by type',
      labelNames: ['type'],
      registers,
    }),
  };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
