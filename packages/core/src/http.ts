import { randomUUID } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { Counter, Histogram, type Registry } from 'prom-client';
import { strictJsonBody } from './body.ts';
import { AppError } from './errors.ts';
import type { Logger } from './logging.ts';

export interface HealthReport {
  ok: boolean;
  [detail: string]: unknown;
}

export interface HttpAppOptions {
  /** Service name: log field and metric prefix `lanctl_<service>_`. */
  service: string;
  logger: Logger;
  metrics: Registry;
  /** Largest accepted request body, in bytes. */
  bodyLimit?: number;
  health?: () => HealthReport | Promise<HealthReport>;
  /** Adds the service's routes between the common middleware and the error handler. */
  mount: (app: Express) => void;
  /** Routes that read their own request body (SADM's `/call/*`), mounted before the JSON parser. */
  beforeBody?: (app: Express) => void;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The express app every service uses. Middleware order: request id → access log and metrics →
 * `beforeBody` routes → strict JSON body → /healthz and /metrics → service routes → 404 → JSON
 * error handler.
 */
export function createHttpApp(options: HttpAppOptions): Express {
  const { service, logger, metrics } = options;
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.set('trust proxy', 'loopback');

  const prefix = `lanctl_${service.replace(/-/g, '_')}_http`;
  const requests = new Counter({
    name: `${prefix}_requests_total`,
    help: 'HTTP requests handled, by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [metrics],
  });
  const duration = new Histogram({
    name: `${prefix}_request_duration_seconds`,
    help: 'HTTP request handling time',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [metrics],
  });

  app.use((req, res, next) => {
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeLabel(req);
      requests.inc({ method: req.method, route, status: String(res.statusCode) });
      duration.observe({ method: req.method, route }, seconds);
      logger.info('request', {
        request_id: id,
        method: req.method,
        path: req.originalUrl.split('?')[0],
        status: res.statusCode,
        duration_ms: Math.round(seconds * 1e6) / 1e3,
        remote: req.socket.remoteAddress,
      });
    });
    next();
  });

  options.beforeBody?.(app);
  app.use(strictJsonBody(options.bodyLimit ?? 1024 * 1024));

  app.get('/healthz', async (_req, res) => {
    let report: HealthReport;
    try {
      report = options.health ? await options.health() : { ok: true };
    } catch (e) {
      report = { ok: false, error: (e as Error).message };
    }
    res.status(report.ok ? 200 : 503).json(report);
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });

  options.mount(app);

  app.use((req, _res, next) => {
    next(new AppError(404, 'not_found', `no route for ${req.method} ${req.path}`));
  });
  app.use(errorHandler(logger));
  return app;
}

function routeLabel(req: Request): string {
  const route = (req as Request & { route?: { path?: string } }).route?.path;
  if (!route) return req.baseUrl || 'unmatched';
  return `${req.baseUrl}${route}`;
}

function errorHandler(logger: Logger) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof AppError) {
      const body: Record<string, unknown> = { code: err.code, message: err.message };
      if (err.details !== undefined) body.details = err.details;
      res.status(err.status).json({ error: body });
      return;
    }
    // express's own parsers (e.g. a malformed URL) carry a status; everything else is a bug.
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      res.status(status).json({ error: { code: 'bad_request', message: (err as Error).message } });
      return;
    }
    logger.error('unhandled error', {
      request_id: res.locals.requestId,
      error: (err as Error)?.stack ?? String(err),
    });
    res.status(500).json({
      error: { code: 'internal', message: `internal error (request ${res.locals.requestId})` },
    });
  };
}
