import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINES, tempDir } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUdb, type UdbHarness } from './testing/harness.ts';

const SECRET = 'sadm-shared-secret';

/** SADM's timeauth token, computed by Python's own hmac module, not by our code. */
function pythonToken(message: string, offsetSeconds = 0): string {
  const script = `import hmac, hashlib, time, sys
ts = str(int(time.time()) + ${offsetSeconds})
print(ts + ':' + hmac.new(sys.argv[1].encode(), (sys.argv[2] + ts).encode('ascii'), hashlib.sha256).hexdigest())`;
  return execFileSync('python3', ['-c', script, SECRET, message], { encoding: 'utf8' }).trim();
}

async function rpc(url: string, method: string, body: unknown) {
  const res = await fetch(`${url}/call/${method}`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe.each(ENGINES)('udb SADM RPC on %s', (engine) => {
  let udb: UdbHarness;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    const dir = await tempDir('lanctl-udb-sadm-');
    cleanup = dir.cleanup;
    const secretFile = join(dir.path, 'udb-secret');
    writeFileSync(secretFile, `${SECRET}\n`, { mode: 0o600 });
    udb = await startUdb(engine, { sadm: { shared_secret_file: secretFile } });
    const root = udb.keys.token('root');
    await udb.call(
      'POST',
      '/api/v1/users',
      { login: 'jdoe', firstname: 'John', lastname: 'Doe', password: 'clear-text-1' },
      root,
    );
    await udb.call(
      'POST',
      '/api/v1/users',
      { login: 'orga1', firstname: 'O', lastname: 'One', group: 'orga' },
      root,
    );
  });
  afterAll(async () => {
    await udb.close();
    await cleanup();
  });

  it('query is public, in SADM record shape, without any password', async () => {
    const res = await rpc(udb.url, 'query', { args: [], kwargs: { login: 'jdoe' } });
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/json');
    const body = JSON.parse(res.text);
    expect(body).toEqual({
      type: 'result',
      data: [
        {
          login: 'jdoe',
          firstname: 'John',
          lastname: 'Doe',
          uid: 10000,
          group: 'user',
          shell: '/bin/bash',
          ssh_key: null,
          id: 10000,
        },
      ],
    });
    expect(res.text).not.toContain('password');
    const get = await fetch(`${udb.url}/call/query`);
    expect(JSON.parse(await get.text()).data.map((u: { login: string }) => u.login)).toEqual([
      'admin',
      'jdoe',
      'orga1',
    ]);
  });

  it('query_private needs SADM timeauth over the method name and returns hashes, never passwords', async () => {
    const missing = await rpc(udb.url, 'query_private', { args: [], kwargs: {} });
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.text).exn_type).toBe('MissingToken');
    const wrongMessage = await rpc(udb.url, 'query_private', {
      args: [],
      kwargs: {},
      hmac: pythonToken('query'),
    });
    expect(wrongMessage.status).toBe(403);
    expect(JSON.parse(wrongMessage.text).exn_type).toBe('BadToken');
    const stale = await rpc(udb.url, 'query_private', {
      args: [],
      kwargs: {},
      hmac: pythonToken('query_private', -121),
    });
    expect(stale.status).toBe(403);
    const future = await rpc(udb.url, 'query_private', {
      args: [],
      kwargs: {},
      hmac: pythonToken('query_private', 300),
    });
    expect(future.status).toBe(403);
    const ok = await rpc(udb.url, 'query_private', {
      args: [],
      kwargs: { group: 'user' },
      hmac: pythonToken('query_private'),
    });
    expect(ok.status).toBe(200);
    const [user] = JSON.parse(ok.text).data;
    expect(user.login).toBe('jdoe');
    expect(user.password_hash).toMatch(/^\$6\$/);
    expect(user.password).toBeUndefined();
    expect(ok.text).not.toContain('clear-text-1');
  });

  it('answers unknown methods with SADM MethodError', async () => {
    const res = await rpc(udb.url, 'nope', {});
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text).exn_type).toBe('MethodError');
  });
});
