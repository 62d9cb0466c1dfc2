import { Histogram, type Logger, type Registry } from '@lanctl/core';
import { type Request, type Response, Router } from 'express';
import { RpcError } from './errors.ts';
import { BodyAborted, BodyTooLarge, readRawBody } from './internal/body.ts';
import {
  callFromJson,
  type DecodedCall,
  decodeCall,
  encodeException,
  encodeResult,
  type SadmCall,
} from './wire.ts';

/** `'missing'` answers 400 `MissingToken`, `'bad'` 403 `BadToken`, as SADM does. */
export type SadmAuthResult = 'ok' | 'missing' | 'bad';

/** One remote method. Without `auth` it is public (SADM's `auth_required=False`). */
export interface SadmMethod {
  handler(args: unknown[], kwargs: Record<string, unknown>, req: Request): Promise<unknown>;
  /** Decides before the handler runs; `call.hmac` is the client's token, if it sent one. */
  auth?: (req: Request, call: SadmCall) => SadmAuthResult | Promise<SadmAuthResult>;
}

export interface SadmRpcOptions {
  /** Metric prefix: `lanctl_<service>_rpc_call_duration_seconds`. */
  service: string;
  /** The service's registry (never the global one). */
  metrics: Registry;
  /** Largest accepted POST body in bytes (default 1 MiB; SADM allowed 1 GiB). */
  bodyLimit?: number;
  /** Logs calls at debug level and unexpected handler errors at error level. */
  logger?: Logger;
}

/** SADM's method name syntax: `/call/{name:[0-9a-zA-Z_]+}`. */
const METHOD_NAME = /^[0-9a-zA-Z_]+$/;
/** Label for calls to a method that does not exist, so clients cannot grow the label set. */
const UNKNOWN = '(unknown)';

interface Reply {
  status: number;
  body: Buffer;
}

const exception = (status: number, type: string, message: string): Reply => ({
  status,
  body: encodeException(type, message),
});

/**
 * Serves SADM's `/call/<name>` for any HTTP method. Mount it where no JSON body parser has
 * refused the request yet: SADM clients do not send `application/json`. A body an upstream
 * parser already turned into `req.body` is used as is.
 */
export function sadmRpcRouter(
  methods: Record<string, SadmMethod>,
  options: SadmRpcOptions,
): Router {
  const duration = callDuration(options);
  const limit = options.bodyLimit ?? 1024 * 1024;
  const router = Router();
  router.all('/call/:name', async (req: Request, res: Response, next) => {
    const name = req.params.name as string;
    if (!METHOD_NAME.test(name)) return next();
    const method = Object.hasOwn(methods, name) ? methods[name] : undefined;
    const stop = duration.startTimer({ method: method ? name : UNKNOWN });
    let reply: Reply;
    try {
      reply = await answer(name, method, req, limit, options.logger);
    } finally {
      stop();
    }
    options.logger?.debug('rpc call', { method: name, status: reply.status });
    res.statusCode = reply.status;
    // Exactly `application/json`: SADM's client compares the header to that string.
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Content-Length', reply.body.length);
    res.end(reply.body);
  });
  return router;
}

/** SADM's order: decode the body, find the method, check auth, call, encode. */
async function answer(
  name: string,
  method: SadmMethod | undefined,
  req: Request,
  limit: number,
  logger?: Logger,
): Promise<Reply> {
  const decoded = await readCall(req, limit);
  if (!decoded.ok) return exception(decoded.status, decoded.error, decoded.message);
  if (!method) return exception(404, 'MethodError', name);
  const { call } = decoded;
  try {
    if (method.auth) {
      const verdict = await method.auth(req, call);
      if (verdict === 'missing') return exception(400, 'MissingToken', name);
      if (verdict !== 'ok') return exception(403, 'BadToken', name);
    }
    const data = await method.handler(call.args, call.kwargs, req);
    try {
      return { status: 200, body: encodeResult(data === undefined ? null : data) };
    } catch {
      return exception(500, 'ValueError', 'The remote method returned something not JSON');
    }
  } catch (e) {
    if (e instanceof RpcError) return exception(e.status, e.type, e.message);
    logger?.error('rpc method failed', {
      method: name,
      error: (e as Error)?.stack ?? String(e),
    });
    if (e instanceof Error) return exception(500, e.name, e.message);
    return exception(500, 'Exception', String(e));
  }
}

type ReadCall =
  | { ok: true; call: SadmCall }
  | { ok: false; status: number; error: string; message: string };

async function readCall(req: Request, limit: number): Promise<ReadCall> {
  if (req.method !== 'POST') return { ok: true, call: { args: [], kwargs: {} } };
  let decoded: DecodedCall;
  if (req.body !== undefined) {
    decoded = callFromJson(req.body);
  } else {
    try {
      decoded = decodeCall(await readRawBody(req, limit));
    } catch (e) {
      if (e instanceof BodyTooLarge) {
        const message = `the request body exceeds the limit of ${limit} bytes`;
        return { ok: false, status: 413, error: 'HTTPRequestEntityTooLarge', message };
      }
      if (e instanceof BodyAborted) {
        return { ok: false, status: 400, error: 'ClientPayloadError', message: 'body cut off' };
      }
      throw e;
    }
  }
  // SADM answers an undecodable body with 500; a client error is a 400 here.
  return decoded.ok ? decoded : { ...decoded, status: 400 };
}

function callDuration({ service, metrics }: SadmRpcOptions): Histogram<'method'> {
  const name = `lanctl_${service.replace(/-/g, '_')}_rpc_call_duration_seconds`;
  const existing = metrics.getSingleMetric(name);
  if (existing) return existing as Histogram<'method'>;
  return new Histogram({
    name,
    help: 'SADM RPC calls (/call/<method>), from the request to the encoded answer',
    labelNames: ['method'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [metrics],
  });
}
