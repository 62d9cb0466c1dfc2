import { realpath } from 'node:fs/promises';
import express, { type Request, type Response } from 'express';
import { createFileMetrics, type FileMetrics } from './metrics.ts';
import { type BootFilesOptions, checkOptions, type FileTransfer } from './options.ts';
import { parseFilePath, resolveFile } from './path.ts';
import { createBufferPool } from './pump.ts';
import { sendError } from './reply.ts';
import { createSlots, type Slots, type SlotsState } from './slots.ts';
import { type StreamSettings, streamFile, type Transfer } from './stream.ts';

export type BootFilesRouter = express.Router & {
  /** For /healthz: per server, large transfers running and waiting. */
  health(): Record<string, SlotsState>;
};

interface ServerState {
  name: string;
  root: string;
  slots: Slots;
}

function requestIp(req: Request): string {
  const ip = req.ip ?? req.socket.remoteAddress ?? '';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

/**
 * GET|HEAD /<server>/<path> from each server's root: validators, conditional requests, single
 * ranges, and a FIFO-queued cap on large transfers per server. Mounted by the service at /files.
 */
export function bootFilesRouter(options: BootFilesOptions): BootFilesRouter {
  checkOptions(options);
  const now = options.now ?? Date.now;
  const names = Object.keys(options.servers);
  const metrics = createFileMetrics(options.metrics, names);
  const servers = new Map<string, ServerState>();
  for (const name of names) {
    const root = options.servers[name]?.root ?? '';
    const slots = createSlots({
      max: options.maxConcurrent,
      maxQueue: options.maxQueue,
      now,
      onChange: (s) => {
        metrics.active.set({ server: name }, s.active);
        metrics.queue.set({ server: name }, s.queued);
      },
    });
    servers.set(name, { name, root, slots });
  }
  const settings: StreamSettings = {
    largeBytes: options.largeBytes,
    queueTimeoutMs: options.queueTimeoutMs,
    // Enough free buffers for the capped transfers of every server (or 256 without a cap).
    pool: createBufferPool(
      options.chunkBytes ?? 256 * 1024,
      2 * names.length * Math.min(options.maxConcurrent, 128),
    ),
    retryAfterSeconds: options.retryAfterSeconds ?? 5,
    now,
  };
  const ctx: Context = { options, metrics, servers, settings, now };

  const router = express.Router();
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      sendError(res, 405, 'method_not_allowed', `${req.method} is not allowed on boot files`);
      return;
    }
    handle(ctx, req, res).catch(next);
  });
  const health = () =>
    Object.fromEntries([...servers.values()].map((s) => [s.name, s.slots.state()]));
  return Object.assign(router, { health });
}

interface Context {
  options: BootFilesOptions;
  metrics: FileMetrics;
  servers: Map<string, ServerState>;
  settings: StreamSettings;
  now: () => number;
}

async function handle(ctx: Context, req: Request, res: Response): Promise<void> {
  const at = ctx.now();
  const urlPath = req.url.split('?', 1)[0] ?? '';
  const parsed = parseFilePath(urlPath);
  const t: Transfer = {
    at,
    ip: (ctx.options.clientIp ?? requestIp)(req),
    server: parsed.server !== null && ctx.servers.has(parsed.server) ? parsed.server : '-',
    path: (parsed.ok ? parsed.path : urlPath).slice(0, 256), // a refused path may be long
    range: typeof req.headers.range === 'string' ? req.headers.range : null,
    size: null,
  };
  const finish = (e: Omit<FileTransfer, keyof Transfer | 'duration_ms'>) =>
    record(ctx, { ...t, ...e, duration_ms: ctx.now() - at });
  if (!parsed.ok) {
    refuse(ctx, t, parsed.reason);
    sendError(res, 400, 'bad_path', `refused path (${parsed.reason})`);
    return finish({ status: 400, bytes: 0, queued_ms: 0, outcome: 'refused' });
  }
  const server = ctx.servers.get(parsed.server);
  if (!server) {
    sendError(res, 404, 'not_found', `no file server named ${parsed.server}`);
    return finish({ status: 404, bytes: 0, queued_ms: 0, outcome: 'not-found' });
  }
  const found = await resolveFile(await rootOf(ctx, server), parsed.path);
  if (!found.ok) {
    if (found.reason !== 'not-found') refuse(ctx, t, found.reason);
    sendError(res, 404, 'not_found', `${parsed.server}/${parsed.path} not found`);
    const outcome = found.reason === 'not-found' ? 'not-found' : 'refused';
    return finish({ status: 404, bytes: 0, queued_ms: 0, outcome });
  }
  t.size = found.stats.size;
  const method = req.method === 'HEAD' ? 'HEAD' : 'GET';
  const result = await streamFile(ctx.settings, server.slots, req, res, found, method);
  const { slotted, size, ...served } = result;
  if (slotted) ctx.metrics.queueWait.observe({ server: server.name }, served.queued_ms / 1000);
  t.size = size;
  finish(served);
}

/** The real path of a server's root, looked up per request (the export may be remounted). */
async function rootOf(ctx: Context, server: ServerState): Promise<string> {
  try {
    return await realpath(server.root);
  } catch (e) {
    ctx.options.logger.warn('boot file root missing', {
      server: server.name,
      root: server.root,
      error: (e as Error).message,
    });
    return server.root;
  }
}

function refuse(ctx: Context, t: Transfer, reason: string): void {
  ctx.metrics.refused.inc({ server: t.server, reason });
  ctx.options.logger.warn('boot file path refused', {
    server: t.server,
    path: t.path,
    ip: t.ip,
    reason,
  });
}

function record(ctx: Context, e: FileTransfer): void {
  ctx.metrics.requests.inc({ server: e.server, outcome: e.outcome });
  if (e.bytes > 0) ctx.metrics.bytes.inc({ server: e.server }, e.bytes);
  const log = ctx.options.logger;
  if (e.outcome === 'aborted') log.info('boot file transfer aborted', { ...e });
  else if (e.outcome === 'queue-full' || e.outcome === 'queue-timeout') {
    log.warn('boot file transfer refused: server busy', { ...e });
  }
  try {
    ctx.options.onTransfer?.(e);
  } catch (err) {
    log.error('onTransfer failed', { error: (err as Error).message });
  }
}
