import { request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpApp } from './http.ts';
import { createLogger } from './logging.ts';
import { Registry } from './metrics.ts';
import { type Listening, listen } from './server.ts';

const LIMIT = 1024;
let server: Listening;

beforeAll(async () => {
  const app = createHttpApp({
    service: 'body',
    logger: createLogger('body', { silent: true }),
    metrics: new Registry(),
    bodyLimit: LIMIT,
    mount: (a) => {
      a.all('/echo', (req, res) => {
        res.json({ body: req.body === undefined ? '(none)' : req.body });
      });
    },
  });
  server = await listen(app, '127.0.0.1', 0);
});

afterAll(async () => {
  await server?.close(100);
});

interface Sent {
  status: number;
  json: any;
}

interface SendOptions {
  method?: string;
  type?: string | null;
  /** Send without Content-Length, as `Transfer-Encoding: chunked`, in pieces of this size. */
  chunkSize?: number;
}

/** A raw request with exact bytes; node's client so that chunked bodies are possible. */
function send(body: Buffer | string | null, options: SendOptions = {}): Promise<Sent> {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const headers: Record<string, string> = {};
  if (options.type !== null) headers['Content-Type'] = options.type ?? 'application/json';
  if (bytes !== null && options.chunkSize === undefined) {
    headers['Content-Length'] = String(bytes.length);
  }
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(
      `${server.url}/echo`,
      { method: options.method ?? 'POST', headers },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) });
          } catch {
            reject(new Error(`non-JSON response ${res.statusCode}: ${text.slice(0, 200)}`));
          }
        });
      },
    );
    // The server may answer (413) and close before the client has written everything.
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    if (bytes !== null && options.chunkSize !== undefined) {
      for (let i = 0; i < bytes.length; i += options.chunkSize) {
        req.write(bytes.subarray(i, i + options.chunkSize));
      }
    } else if (bytes !== null) {
      req.write(bytes);
    }
    req.end();
  });
}

const json = (value: unknown) => JSON.stringify(value);
/** `{"a":"<bytes>"}` with the given raw bytes inside the string. */
const inString = (...bytes: number[]) =>
  Buffer.concat([Buffer.from('{"a":"x'), Buffer.from(bytes), Buffer.from('y"}')]);

function expectError(sent: Sent, status: number, code: string, message?: RegExp) {
  expect(sent.status).toBe(status);
  expect(sent.json.error.code).toBe(code);
  if (message) expect(sent.json.error.message).toMatch(message);
}

describe('strict JSON body', () => {
  it('parses a valid JSON body', async () => {
    const value = { hostname: 'pc', nested: { list: [1, 'é', null, true] }, emoji: '🖥' };
    expect(await send(json(value))).toEqual({ status: 200, json: { body: value } });
  });

  it.each([
    'application/json; charset=utf-8',
    'Application/JSON',
    'application/json;charset=UTF-8',
  ])('accepts content type %j', async (type) => {
    expect((await send('{"a":1}', { type })).json).toEqual({ body: { a: 1 } });
  });

  it('accepts a UTF-8 byte order mark', async () => {
    const sent = await send(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[1]')]));
    expect(sent).toEqual({ status: 200, json: { body: [1] } });
  });

  it('treats an empty or blank body as no body', async () => {
    expect((await send('')).json).toEqual({ body: '(none)' });
    expect((await send('  \n ')).json).toEqual({ body: '(none)' });
    expect((await send(null, { type: null })).json).toEqual({ body: '(none)' });
  });

  it('ignores bodies on methods without one', async () => {
    expect((await send('not json', { method: 'GET', type: 'text/plain' })).json).toEqual({
      body: '(none)',
    });
  });

  it.each([
    ['C3 28: invalid continuation', [0xc3, 0x28]],
    ['C0 AF: overlong "/"', [0xc0, 0xaf]],
    ['E0 80 AF: overlong 3-byte', [0xe0, 0x80, 0xaf]],
    ['ED A0 80: encoded lone high surrogate', [0xed, 0xa0, 0x80]],
    ['ED BF BF: encoded lone low surrogate', [0xed, 0xbf, 0xbf]],
    ['F4 90 80 80: above U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['FF: never valid', [0xff]],
    ['E2 82: truncated sequence', [0xe2, 0x82]],
    ['80: stray continuation byte', [0x80]],
  ])('rejects invalid UTF-8 (%s) with 400', async (_what, bytes) => {
    expectError(await send(inString(...bytes)), 400, 'invalid_request', /not valid UTF-8/);
  });

  it('rejects invalid UTF-8 outside strings too', async () => {
    expectError(await send(Buffer.from([0x7b, 0xc0, 0xaf, 0x7d])), 400, 'invalid_request');
  });

  it.each(['{', '{"a":}', "{'a':1}", '[1,]', 'NaN', '{"a":1}{}', 'undefined', '\u0000'])(
    'rejects invalid JSON %j with 400',
    async (text) => {
      expectError(await send(text), 400, 'invalid_request', /not valid JSON/);
    },
  );

  it('accepts a body exactly at the limit', async () => {
    const body = json({ a: 'x'.repeat(LIMIT - 8) });
    expect(Buffer.byteLength(body)).toBe(LIMIT);
    expect((await send(body)).status).toBe(200);
  });

  it('rejects an over-limit body with Content-Length as 413', async () => {
    const body = json({ a: 'x'.repeat(LIMIT) });
    expectError(await send(body), 413, 'payload_too_large', new RegExp(`${LIMIT} bytes`));
  });

  it('rejects an over-limit chunked body as 413', async () => {
    const body = json({ a: 'x'.repeat(LIMIT * 4) });
    expectError(await send(body, { chunkSize: 100 }), 413, 'payload_too_large');
  });

  it('accepts a chunked body under the limit', async () => {
    expect(await send(json({ a: 'chunked' }), { chunkSize: 3 })).toEqual({
      status: 200,
      json: { body: { a: 'chunked' } },
    });
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['form', 'application/x-www-form-urlencoded'],
    ['json-ish', 'application/jsonp'],
    ['json suffix', 'application/merge-patch+json'],
  ])('rejects a %s body with 415', async (_what, type) => {
    expectError(await send('{"a":1}', { type }), 415, 'unsupported_media_type');
  });

  it('rejects a body without Content-Type with 415', async () => {
    expectError(await send('{"a":1}', { type: null }), 415, 'unsupported_media_type');
  });

  it.each([
    [{ a: { b: [1, 'x\u0000'] } }, 'a.b.1'],
    [{ hostname: '\u0000' }, 'hostname'],
    [['ok', ['\u0000']], '1.0'],
    ['\u0000', 'body'],
    [{ a: { 'k\u0000': 1 } }, 'a.k\u0000'],
    [{ '\u0000': 'v' }, '\u0000'],
  ])('rejects NUL in %j naming %j', async (value, field) => {
    const sent = await send(json(value));
    expectError(sent, 400, 'invalid_request', /contains a NUL character/);
    expect(sent.json.error.details).toEqual([{ field, message: 'contains a NUL character' }]);
  });

  it('accepts escaped non-NUL control characters and other code points', async () => {
    const value = { a: '\u0001\t\u001f\u007f\u2028\ufffd' };
    expect((await send(json(value))).json).toEqual({ body: value });
  });

  // A small but deeply nested body once overflowed the stack of a recursive walk (a 500).
  it('refuses deeply nested JSON with a 400, never a 500', async () => {
    const depth = 20_000;
    const server2 = await listen(
      createHttpApp({
        service: 'deep',
        logger: createLogger('deep', { silent: true }),
        metrics: new Registry(),
        bodyLimit: 2 * depth + 16,
        mount: (a) => a.post('/echo', (_req, res) => res.json({ ok: true })),
      }),
      '127.0.0.1',
      0,
    );
    try {
      const res = await fetch(`${server2.url}/echo`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: `${'['.repeat(depth)}${']'.repeat(depth)}`,
      });
      expect(res.status).toBe(400);
    } finally {
      await server2.close(100);
    }
  });
});

describe('strict JSON body: random bytes', () => {
  const jsonText = fc.json({ maxDepth: 3 });
  /** Valid JSON with a few bytes spliced in: exercises UTF-8, NUL and syntax paths together. */
  const spliced = fc
    .tuple(
      jsonText,
      fc.uint8Array({ maxLength: 4 }),
      fc.nat(),
      fc.constantFrom(0x00, 0x22, 0x5c, 0xc0, 0xed, 0xf4, 0xff, 0x7b),
    )
    .map(([text, extra, at, special]) => {
      const bytes = Buffer.from(text);
      const i = bytes.length === 0 ? 0 : at % bytes.length;
      return Buffer.concat([
        bytes.subarray(0, i),
        Buffer.from([...extra, special]),
        bytes.subarray(i),
      ]);
    });
  const body = fc.oneof(
    fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
    jsonText.map((t) => Buffer.from(t)),
    spliced,
    fc.uint8Array({ minLength: LIMIT - 8, maxLength: LIMIT + 8 }).map((b) => Buffer.from(b)),
  );

  it('every response is a JSON success or a 4xx JSON error, and the server stays up', async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async (bytes, chunked) => {
        const sent = await send(bytes, chunked ? { chunkSize: 97 } : {});
        if (sent.status === 200) {
          expect(Object.keys(sent.json)).toEqual(['body']);
        } else {
          expect([400, 413]).toContain(sent.status);
          expect(typeof sent.json.error.code).toBe('string');
          expect(typeof sent.json.error.message).toBe('string');
        }
      }),
      { numRuns: 300 },
    );
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
  });
});
