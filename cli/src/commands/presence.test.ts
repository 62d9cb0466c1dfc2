import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Listening, listen } from '@lanctl/core';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerPresence } from './presence.ts';

const TOKEN = 'lanctl1.test.token';
let server: Listening;
const seen: string[] = [];

function send(res: ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) res.writeHead(status).end();
  else res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** The presence API's list and kick routes, as the service answers them. */
function handle(req: IncomingMessage, res: ServerResponse): void {
  seen.push(`${req.method} ${req.url}`);
  if (req.headers.authorization !== `Bearer ${TOKEN}`) {
    send(res, 401, {
      error: { code: 'unauthorized', message: 'a valid bearer token is required' },
    });
  } else if (req.method === 'GET' && req.url === '/api/v1/presence') {
    send(res, 200, {
      items: [{ login: 'alice', hostname: 'seat1', expires_at: '2026-11-22T10:00:30.000Z' }],
    });
  } else if (req.method === 'DELETE' && req.url === '/api/v1/presence/users/alice') {
    send(res, 204);
  } else if (req.method === 'DELETE' && req.url?.startsWith('/api/v1/presence/machines/')) {
    send(res, 404, { error: { code: 'not_found', message: 'nobody is logged on seat9' } });
  } else send(res, 404, { error: { code: 'not_found', message: 'no such route' } });
}

beforeAll(async () => {
  server = await listen(handle, '127.0.0.1', 0);
});
afterAll(() => server?.close());
afterEach(() => vi.restoreAllMocks());

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Runs `lanctl presence ARGS` in process; returns its exit code and output. */
async function lanctl(args: string) {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  vi.spyOn(process, 'exit').mockImplementation((code) => {
    throw new Exit(Number(code ?? 0));
  });
  const program = new Command('lanctl').exitOverride();
  registerPresence(program);
  let code = 0;
  try {
    await program.parseAsync([...args.split(' '), '--url', server.url, '--token', TOKEN], {
      from: 'user',
    });
  } catch (e) {
    if (!(e instanceof Exit)) throw e;
    code = e.code;
  }
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

describe('lanctl presence', () => {
  it('list prints one row per session, or JSON', async () => {
    const r = await lanctl('presence list');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      ['LOGIN  HOSTNAME  EXPIRES', 'alice  seat1     2026-11-22 10:00:30', ''].join('\n'),
    );
    const json = await lanctl('presence list --json');
    expect(JSON.parse(json.stdout)).toEqual([
      { login: 'alice', hostname: 'seat1', expires_at: '2026-11-22T10:00:30.000Z' },
    ]);
  });

  it('kick ends a session by user or machine, and says why it could not', async () => {
    expect(await lanctl('presence kick --user alice')).toMatchObject({
      code: 0,
      stdout: 'ended the session of alice\n',
    });
    expect(seen).toContain('DELETE /api/v1/presence/users/alice');
    const missing = await lanctl('presence kick --machine seat9');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nobody is logged on seat9');
    expect((await lanctl('presence kick')).code).toBe(2);
    expect((await lanctl('presence kick --user a --machine b')).code).toBe(2);
  });
});
