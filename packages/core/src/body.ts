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
      // V8's message quotes the body around the error, which may be someone's password.
      const at = /position (\d+)/.exec((e as Error).message)?.[1];
      throw invalidRequest(`request body is not valid JSON${at ? ` (at byte ${at})` : ''}`);
    }
    const nul = findNul(req.body);
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
    // A client that goes away mid-body is its own problem, not a server error to log as one.
    req.on('error', () => reject(new AppError(400, 'aborted', 'request body was cut off')));
  });
}

const tooLarge = (limit: number) =>
  new AppError(413, 'payload_too_large', `request body exceeds the limit of ${limit} bytes`);

/** No request of ours nests deeper; a deeper body is refused before anything walks it. */
export const MAX_JSON_DEPTH = 32;

/**
 * Returns the dotted path of the first string or key holding U+0000, or null. Iterative, so a
 * hostile body cannot exhaust the stack; nesting beyond MAX_JSON_DEPTH is a 400.
 */
function findNul(root: unknown): string | null {
  const stack: { value: unknown; path: string; depth: number }[] = [
    { value: root, path: '', depth: 0 },
  ];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return path;
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_JSON_DEPTH) {
      throw invalidRequest(`request body nests deeper than ${MAX_JSON_DEPTH} levels`);
    }
    const entries = Array.isArray(value)
      ? value.map((v, i) => [String(i), v] as const)
      : Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      const childPath = path ? `${path}.${key}` : key;
      if (key.includes('\u0000')) return childPath;
      stack.push({ value: child, path: childPath, depth: depth + 1 });
    }
  }
  return null;
}
