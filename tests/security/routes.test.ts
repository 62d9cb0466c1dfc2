import { listRoutes } from '@lanctl/core';
import { PUBLIC_ROUTES as MDB_PUBLIC } from '@lanctl/mdb';
import type { Role } from '@lanctl/model';
import { ENGINES } from '@lanctl/testkit';
import { PUBLIC_ROUTES as UDB_PUBLIC } from '@lanctl/udb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MdbHarness, startMdb } from '../../services/mdb/src/testing/harness.ts';
import { startUdb, type UdbHarness } from '../../services/udb/src/testing/harness.ts';

/** What a caller gets: through (any answer but 401/403), forbidden (403), or unauthenticated (401). */
type Outcome = 'ok' | 403 | 401;
type Caller = 'root' | 'orga' | 'user' | 'anon';
/** Least privileged first: a destructive probe (a delete) is allowed only at the end. */
const CALLERS: Caller[] = ['anon', 'user', 'orga', 'root'];

const outcome = (status: number): Outcome => (status === 401 ? 401 : status === 403 ? 403 : 'ok');
const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

/** Every route of each service, and what each kind of caller gets there. */
const MDB_EXPECT = (route: string): Record<Caller, Outcome> => {
  if (MDB_PUBLIC.includes(route)) return { root: 'ok', orga: 'ok', user: 'ok', anon: 'ok' };
  if (route === 'GET /api/v1/auth/whoami') return { root: 'ok', orga: 'ok', user: 'ok', anon: 401 };
  if (route.startsWith('GET ')) return { root: 'ok', orga: 'ok', user: 403, anon: 401 };
  return { root: 'ok', orga: 403, user: 403, anon: 401 };
};

const UDB_EXPECT = (route: string): Record<Caller, Outcome> => {
  if (UDB_PUBLIC.includes(route)) return { root: 'ok', orga: 'ok', user: 'ok', anon: 'ok' };
  const self = { root: 'ok', orga: 'ok', user: 'ok', anon: 401 } as const;
  if (route === 'GET /api/v1/auth/whoami') return self;
  const managers = { root: 'ok', orga: 'ok', user: 403, anon: 401 } as const;
  // Routes are probed on the contestant's own login: their record is theirs to read; their
  // password is theirs to change, but only with the current one, which the probe lacks.
  if (route === 'GET /api/v1/users/:login') return self;
  if (route === 'POST /api/v1/users/:login/password') return { ...self, user: 403 };
  return managers;
};

/** Concrete requests for a route pattern: the contestant `kid` as the target of per-user routes. */
function probe(route: string, table: string): { method: string; path: string; body?: unknown } {
  const [method, pattern] = route.split(' ') as [string, string];
  const path = pattern
    .replace(':login', 'kid')
    .replace(':hostname', 'nosuchhost')
    .replace(':name', method === 'ALL' ? 'query' : 'nosuchname')
    .replace(':key', 'allow_self_registration')
    .replace(':table', table);
  const verb = method === 'ALL' ? 'GET' : method;
  return { method: verb, path, body: verb === 'GET' || verb === 'DELETE' ? undefined : {} };
}

async function send(
  base: string,
  req: { method: string; path: string; body?: unknown },
  token?: string,
) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${req.path}`, {
    method: req.method,
    headers,
    body: req.body === undefined ? undefined : JSON.stringify(req.body),
  });
  // A stream never ends by itself: its status is all a probe needs.
  if ((res.headers.get('content-type') ?? '').includes('event-stream')) await res.body?.cancel();
  else await res.arrayBuffer();
  return res.status;
}

interface Subject {
  url: string;
  app: Parameters<typeof listRoutes>[0];
  tokens: Record<Exclude<Caller, 'anon'>, string>;
  expect(route: string): Record<Caller, Outcome>;
  publicRoutes: string[];
  /** The table its change-stream routes are probed on. */
  streamTable: string;
  /** Puts back what a probe may have deleted, so every route is probed on a real target. */
  reset(): Promise<unknown>;
}

describe.each(ENGINES)('every route of every service, for every caller, on %s', (engine) => {
  let mdb: MdbHarness;
  let udb: UdbHarness;
  const subjects: Record<string, Subject> = {};
  beforeAll(async () => {
    mdb = await startMdb(engine);
    udb = await startUdb(engine);
    const kid = () =>
      udb.call(
        'POST',
        '/api/v1/users',
        { login: 'kid', firstname: 'K', lastname: 'Id' },
        udb.keys.token('root'),
      );
    // People's tokens, as udb's login issues them, signed with each harness's own key.
    const tokensOf = (keys: { userToken(login: string, role: Role): string }) => ({
      root: keys.userToken('admin', 'root'),
      orga: keys.userToken('someorga', 'orga'),
      user: keys.userToken('kid', 'user'),
    });
    subjects.mdb = {
      url: mdb.url,
      app: mdb.service.app,
      tokens: tokensOf(mdb.keys),
      expect: MDB_EXPECT,
      publicRoutes: MDB_PUBLIC,
      reset: async () => undefined,
      streamTable: 'machines',
    };
    subjects.udb = {
      url: udb.url,
      app: udb.service.app,
      tokens: tokensOf(udb.keys),
      expect: UDB_EXPECT,
      publicRoutes: UDB_PUBLIC,
      reset: kid,
      streamTable: 'users',
    };
  });
  afterAll(async () => {
    await mdb?.close();
    await udb?.close();
  });

  it.each(['mdb', 'udb'])(
    '%s: anonymous callers are refused everywhere but the public list',
    async (name) => {
      const subject = subjects[name]!;
      const routes = listRoutes(subject.app).map(key);
      for (const route of subject.publicRoutes)
        expect(routes, `${route} is listed as public`).toContain(route);
      await subject.reset();
      for (const route of routes) {
        const status = await send(subject.url, probe(route, subject.streamTable));
        if (!subject.publicRoutes.includes(route))
          expect(status, `${route} without a token`).toBe(401);
      }
    },
  );

  it.each(['mdb', 'udb'])(
    '%s: root, orga, contestant and anonymous get what their role allows',
    async (name) => {
      const subject = subjects[name]!;
      const seen: string[] = [];
      for (const route of listRoutes(subject.app).map(key)) {
        const expected = subject.expect(route);
        for (const caller of CALLERS) {
          await subject.reset();
          const token = caller === 'anon' ? undefined : subject.tokens[caller];
          const status = await send(subject.url, probe(route, subject.streamTable), token);
          const got = outcome(status);
          seen.push(`${route} ${caller}: ${got}`);
          expect(got, `${route} as ${caller} (HTTP ${status})`).toBe(expected[caller]);
        }
      }
      expect(seen.length).toBeGreaterThan(40);
    },
  );
});
