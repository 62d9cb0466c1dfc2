import type { Request } from 'express';

export class BodyTooLarge extends Error {}
export class BodyAborted extends Error {}

/**
 * Reads the raw request body whatever its content type (SADM's Python client sends its JSON as
 * `application/octet-stream`, curl `-d` as a form), up to `limit` bytes. A stream somebody
 * already consumed reads as empty.
 */
export function readRawBody(req: Request, limit: number): Promise<Buffer> {
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));
  if (Number(req.headers['content-length'] ?? 0) > limit) {
    req.resume();
    return Promise.reject(new BodyTooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => reject(new BodyAborted()));
  });
}
