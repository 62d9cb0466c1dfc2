import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { type IpEntry, NO_STORE, unknownStatus } from './ip-index.ts';
import type { AnswerCounts } from './metrics.ts';
import { classifyRealIp, REAL_IP_HEADER, realIpOf } from './real-ip.ts';

/** True for nginx's `auth_request` call: `GET /` (or HEAD), any query ignored. */
const isAuthCall = (req: IncomingMessage) =>
  (req.method === 'GET' || req.method === 'HEAD') &&
  (req.url === '/' || req.url?.startsWith('/?') === true);

/**
 * The hot path, before express: `GET /` answered from the index with headers built in advance
 * (no access log line, no request id: this runs for every web request of the LAN; the answers
 * are counted). Every other request goes to `fallback` (/healthz, /metrics, the room map).
 */
export function answerHandler(options: {
  index: () => ReadonlyMap<string, IpEntry>;
  counts: AnswerCounts;
  fallback: RequestListener;
}): RequestListener {
  const { index, counts, fallback } = options;
  return (req: IncomingMessage, res: ServerResponse) => {
    if (!isAuthCall(req)) {
      fallback(req, res);
      return;
    }
    const raw = realIpOf(req.rawHeaders);
    const entry = raw === undefined ? undefined : index().get(raw);
    if (entry !== undefined) {
      counts.known++;
      res.writeHead(200, entry.headers as string[]);
      res.end();
      return;
    }
    const real = classifyRealIp(raw);
    if (!real.ok) {
      counts.bad++;
      const body = JSON.stringify({
        error: {
          code: 'invalid_request',
          message: real.message,
          details: [{ field: REAL_IP_HEADER, message: real.message }],
        },
      });
      res.writeHead(400, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': Buffer.byteLength(body),
        'Cache-Control': NO_STORE,
      });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    // A mapped IPv4 address (`::ffff:a.b.c.d`) is looked up as its IPv4 form.
    const mapped = real.ip === raw ? undefined : index().get(real.ip);
    if (mapped !== undefined) {
      counts.known++;
      res.writeHead(200, mapped.headers as string[]);
      res.end();
      return;
    }
    counts.unknown++;
    res.writeHead(200, [
      'X-SSO-Status',
      unknownStatus(real.ip),
      'Cache-Control',
      NO_STORE,
      'Content-Length',
      '0',
    ]);
    res.end();
  };
}
