import {
  createHttpApp,
  createLogger,
  createMetricsRegistry,
  type Listening,
  listen,
} from '@lanctl/core';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RpcError } from './errors.ts';
import { type SadmMethod, sadmRpcRouter } from './rpc.ts';

const METHODS: Record<string, SadmMethod> = {
  echo: { handler: async (args, kwargs) => ({ args, kwargs }) },
  nothing: { handler: async () => undefined },
  fails: {
    handler: async () => {
      throw new RpcError('RuntimeError', 'self registration is disabled');
    },
  },
  crashes: {
    handler: async () => {
      throw new TypeError('boom');
    },
  },
  bigint: { handler: async () => 10n },
  secret: {
    auth: (_req, call) => (!call.hmac ? 'missing' : call.hmac === 'good' ? 'ok' : 'bad'),
    handler: async () => 'granted',
  },
};

interface Raw {
  status: number;
  type: string | null;
  text: string;
}

async function raw(base: string, path: string, init: RequestInit = {}): Promise<Raw> {
  const res = await fetch(`${base}${path}`, init);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

const post = (body: string, type = 'application/octet-stream'): RequestInit => ({
  method: 'POST',
  body,
  headers: { 'content-type': type },
});

describe('sadmRpcRouter on the core app (beforeBody)', () => {
  const metrics = createMetricsRegistry();
  let server: Listening;
  let base: string;
  beforeAll(async () => {
    const app = createHttpApp({
      service: 'test-rpc',
      logger: createLogger('test', { silent: true }),
      metrics,
      mount: () => {},
      beforeBody: (a) =>
        a.use(sadmRpcRouter(METHODS, { service: 'test-rpc', metrics, bodyLimit: 2048 })),
    });
    server = await listen(app, '127.0.0.1', 0);
    base = server.url;
  });
  afterAll(() => server.close());

  it('answers a POST whatever its content type, with exactly application/json', async () => {
    for (const type of ['application/octet-stream', 'text/plain', 'application/json', '']) {
      const r = await raw(base, '/call/echo', post('{"args": [1], "kwargs": {"a": "é"}}\n', type));
      expect(r).toEqual({
        status: 200,
        type: 'application/json',
        text: '{"type": "result", "data": {"args": [1], "kwargs": {"a": "\\u00e9"}}}\n',
      });
    }
  });

  it('treats GET, HEAD-less methods and bodiless POSTs as calls without arguments', async () => {
    const empty = '{"type": "result", "data": {"args": [], "kwargs": {}}}\n';
    expect((await raw(base, '/call/echo')).text).toBe(empty);
    expect((await raw(base, '/call/echo', { method: 'POST' })).text).toBe(empty);
    // SADM parses only POST bodies.
    expect((await raw(base, '/call/echo', { method: 'PUT', body: '{"args": [1]}' })).text).toBe(
      empty,
    );
    expect((await raw(base, '/call/nothing')).text).toBe('{"type": "result", "data": null}\n');
  });

  it('answers errors with SADM envelopes and statuses', async () => {
    const envelope = (type: string, message: string) =>
      `{"type": "exception", "exn_type": "${type}", "exn_message": "${message}", "exn_traceback": []}\n`;
    expect(await raw(base, '/call/nope')).toEqual({
      status: 404,
      type: 'application/json',
      text: envelope('MethodError', 'nope'),
    });
    expect(await raw(base, '/call/fails', post('{}'))).toMatchObject({
      status: 500,
      text: envelope('RuntimeError', 'self registration is disabled'),
    });
    expect(await raw(base, '/call/crashes')).toMatchObject({
      status: 500,
      text: envelope('TypeError', 'boom'),
    });
    expect(await raw(base, '/call/bigint')).toMatchObject({
      status: 500,
      text: envelope('ValueError', 'The remote method returned something not JSON'),
    });
    const bad = await raw(base, '/call/echo', post('{"args": ['));
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.text)).toMatchObject({ type: 'exception', exn_type: 'JSONDecodeError' });
    // The body is decoded before the method is looked up, as in SADM.
    expect(JSON.parse((await raw(base, '/call/nope', post('x'))).text).exn_type).toBe(
      'JSONDecodeError',
    );
    const notObject = await raw(base, '/call/echo', post('[1, 2]'));
    expect([notObject.status, JSON.parse(notObject.text).exn_type]).toEqual([400, 'TypeError']);
    const big = await raw(base, '/call/echo', post(`{"args": ["${'x'.repeat(4096)}"]}`));
    expect([big.status, JSON.parse(big.text).exn_type]).toEqual([413, 'HTTPRequestEntityTooLarge']);
  });

  it('runs the auth hook: no token 400 MissingToken, a bad one 403 BadToken', async () => {
    const call = async (body: string) => {
      const r = await raw(base, '/call/secret', post(body));
      return [r.status, JSON.parse(r.text)];
    };
    expect(await call('{}')).toEqual([
      400,
      { type: 'exception', exn_type: 'MissingToken', exn_message: 'secret', exn_traceback: [] },
    ]);
    expect(await call('{"hmac": ""}')).toMatchObject([400, { exn_type: 'MissingToken' }]);
    expect(await call('{"hmac": "bad"}')).toMatchObject([403, { exn_type: 'BadToken' }]);
    expect(await call('{"hmac": "good"}')).toEqual([200, { type: 'result', data: 'granted' }]);
  });

  it('leaves other paths to the app: names outside [0-9a-zA-Z_] and the JSON API', async () => {
    const r = await raw(base, '/call/no-such');
    expect(r.status).toBe(404);
    expect(JSON.parse(r.text)).toMatchObject({ error: { code: 'not_found' } });
  });

  it('times calls per known method into the given registry', async () => {
    const text = await metrics.metrics();
    expect(text).toMatch(/lanctl_test_rpc_rpc_call_duration_seconds_count\{method="echo"\} \d+/);
    expect(text).toMatch(/lanctl_test_rpc_rpc_call_duration_seconds_count\{method="\(unknown\)"\}/);
    expect(text).not.toContain('method="nope"');
    // A second router on the same registry reuses the histogram.
    expect(() => sadmRpcRouter(METHODS, { service: 'test-rpc', metrics })).not.toThrow();
  });
});

describe('sadmRpcRouter behind an upstream JSON parser', () => {
  it('uses the body that parser already read', async () => {
    const app = express();
    app.use(express.json());
    app.use(sadmRpcRouter(METHODS, { service: 'plain', metrics: createMetricsRegistry() }));
    const server = await listen(app, '127.0.0.1', 0);
    try {
      const r = await raw(server.url, '/call/echo', post('{"args": [2]}', 'application/json'));
      expect(r.text).toBe('{"type": "result", "data": {"args": [2], "kwargs": {}}}\n');
    } finally {
      await server.close();
    }
  });
});
