import type { IncomingMessage, ServerResponse } from 'node:http';

/** An error answer in the services' JSON shape, `{"error": {"code", "message"}}`, never cached. */
export function sendError(res: ServerResponse, status: number, code: string, message: string) {
  const body = JSON.stringify({ error: { code, message } });
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.setHeader('Cache-Control', 'no-store');
  res.end((res.req as IncomingMessage | undefined)?.method === 'HEAD' ? undefined : body);
}
