import { describe, expect, it } from 'vitest';
import { createUdbClient } from './udb.ts';

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** An injected fetch: records each request and answers from the queue. */
function scripted(...answers: Response[]) {
  const sent: Sent[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    sent.push({
      method: init?.method ?? 'GET',
      url: String(input),
      headers: init?.headers as Record<string, string>,
      body: init?.body === undefined ? undefined : JSON.parse(String(init.body)),
    });
    const answer = answers.shift();
    if (!answer) throw new Error('unscripted request');
    return answer;
  };
  return { sent, fetch };
}

const json = (status: number, value: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(value), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

const BASE = 'http://udb.test';
const user = { login: 'jdoe', firstname: 'John', lastname: 'Doe', group: 'user', uid: 10001 };

describe('createUdbClient', () => {
  it('logs in without a token and returns the session token', async () => {
    const s = scripted(json(200, { token: 't', expires_at: 'x', user }));
    const result = await createUdbClient({ baseUrl: BASE, fetch: s.fetch }).login('jdoe', 'pw');
    expect(result.token).toBe('t');
    expect(s.sent[0]).toMatchObject({
      method: 'POST',
      url: `${BASE}/api/v1/auth/login`,
      body: { login: 'jdoe', password: 'pw' },
    });
    expect(s.sent[0]!.headers.authorization).toBeUndefined();
  });

  it('reports a 429 with its Retry-After, and names udb when unreachable', async () => {
    const limited = { error: { code: 'rate_limited', message: 'too many failed logins' } };
    const s = scripted(json(429, limited, { 'retry-after': '42' }));
    const error = await createUdbClient({ baseUrl: BASE, fetch: s.fetch })
      .login('jdoe', 'x')
      .catch((e) => e);
    expect(error).toMatchObject({ status: 429, code: 'rate_limited', retryAfterSeconds: 42 });
    const down: typeof fetch = async () => {
      throw Object.assign(new Error('fetch failed'), { cause: { message: 'ECONNREFUSED' } });
    };
    await expect(createUdbClient({ baseUrl: BASE, fetch: down }).login('a', 'b')).rejects.toThrow(
      `cannot reach udb at ${BASE}: ECONNREFUSED`,
    );
  });

  it('creates, lists by group and sets passwords on /users with the bearer token', async () => {
    const s = scripted(
      json(201, { ...user, password: 'Gen3rated' }),
      json(200, { items: [user], next: null }),
      json(200, { login: 'jdoe', password: 'N3wpass' }),
    );
    const udb = createUdbClient({ baseUrl: BASE, token: 'tok', fetch: s.fetch });
    expect(
      (await udb.users.create({ login: 'jdoe', firstname: 'John', lastname: 'Doe' })).password,
    ).toBe('Gen3rated');
    expect(await udb.users.listAll({ group: 'user', q: 'do' })).toHaveLength(1);
    expect(await udb.setPassword('a/b', {})).toEqual({ login: 'jdoe', password: 'N3wpass' });
    expect(s.sent.map((r) => `${r.method} ${r.url}`)).toEqual([
      `POST ${BASE}/api/v1/users`,
      `GET ${BASE}/api/v1/users?limit=1000&group=user&q=do`,
      `POST ${BASE}/api/v1/users/a%2Fb/password`,
    ]);
    expect(s.sent.every((r) => r.headers.authorization === 'Bearer tok')).toBe(true);
  });

  it('imports with per-row results and returns a sheet as text, not JSON', async () => {
    const imported = {
      dry_run: false,
      summary: { created: 1, updated: 0, skipped: 0, error: 0 },
      results: [{ row: 1, login: 'jdoe', status: 'created', password: 'Pw1' }],
    };
    const s = scripted(
      json(200, imported),
      new Response('John Doe\tjdoe\tPw1\n', { headers: { 'content-type': 'text/plain' } }),
    );
    const udb = createUdbClient({ baseUrl: BASE, token: 'tok', fetch: s.fetch });
    const request = { format: 'csv', data: 'a,b\n', mode: 'update', dry_run: false } as const;
    expect(await udb.importUsers(request)).toEqual(imported);
    const entries = [{ login: 'jdoe', firstname: 'John', lastname: 'Doe', password: 'Pw1' }];
    expect(await udb.renderSheet({ entries, format: 'tsv' })).toBe('John Doe\tjdoe\tPw1\n');
    expect(s.sent[0]).toMatchObject({ url: `${BASE}/api/v1/users/import`, body: request });
    expect(s.sent[1]).toMatchObject({ url: `${BASE}/api/v1/users/sheets` });
    expect(s.sent[1]!.headers.accept).toBe('*/*');
  });

  it('still decodes an error answer of a text request as ApiError', async () => {
    const s = scripted(json(403, { error: { code: 'forbidden', message: 'role reader may not' } }));
    await expect(
      createUdbClient({ baseUrl: BASE, fetch: s.fetch }).renderSheet({ entries: [] }),
    ).rejects.toMatchObject({ status: 403, code: 'forbidden' });
  });
});
