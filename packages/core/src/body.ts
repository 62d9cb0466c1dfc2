import type { NextFunction, Request, Response } from 'express';
import { AppError, invalidRequest } from './errors.ts';

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Reads a JSON body strictly: size-limited (413), UTF-8 without replacement (invalid bytes are a
 * 400, never U+FFFD), valid JSON (400), and no NUL character in any string or key (400, naming
 * the field) since NUL cannot be stored in PostgreSQL text and never belongs in an identifier.
 */
export function strictJsonBody(limitBytes: number) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    if (!METHODS_WITH_BODY.has(req.method) || !hasBody(req)) {
      req.body = undefined;
      return next();
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/json') {
      throw new AppError(415, 'unsupported_media_type', 'request bodies must be application/json');
    }
    const raw = await readLimited(req, limitBytes);
    let text: string;
    try {
      text = utf8.decode(raw);
    } catch {
      throw invalidRequest('request body is not valid UTF-8');
    }
    try {
      req.body = text.trim() === '' ? undefined : JSON.parse(text);
    } catch (e) {
      throw invalidRequest(`request body is not valid JSON: ${(e as Error).message}`);
    }
    const nul = findNul(req.body, '');
    if (nul !== null) {
      throw invalidRequest(`${nul || 'body'}: contains a NUL character`, [
        { field: nul || 'body', message: 'contains a NUL character' },
      ]);
    }
    next();
  };
}

function hasBody(req: Request): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

function readLimited(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const tooLarge = (limit: number) =>
  new AppError(413, 'payload_too_large', `request body exceeds the limit of ${limit} bytes`);

/** Returns the dotted path of the first string or key holding U+0000, or null. */
function findNul(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = findNul(value[i], path ? `${path}.${i}` : String(i));
      if (hit !== null) return hit;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, v] of Object.entries(value)) {
      const child = path ? `${path}.${key}` : key;
      if (key.includes('\u0000')) return child;
      const hit = findNul(v, child);
      if (hit !== null) return hit;
    }
  }
  return null;
}
