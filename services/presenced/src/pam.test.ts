import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { presencedConfigSchema } from './config.ts';
import { HOME_NOT_MANAGED, runPam } from './pam.ts';
import type { PasswdEntry } from './passwd.ts';

const dir = mkdtempSync(join(tmpdir(), 'lanctl-pam-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const tokenFile = join(dir, 'token');
writeFileSync(tokenFile, 'tok\n');
const config = presencedConfigSchema.parse({
  presence_url: 'http://presence.test:20060',
  token_file: tokenFile,
});
const UIDS: Record<string, number> = { alice: 15_000, root: 0, carol: 5_000 };
/** Case-insensitive NSS: these names come back as another user's entry. */
const ALIASES: Record<string, string> = { Alice: 'alice' };

type Answer = { status: number; body?: unknown } | 'down';

async function run(
  type: string,
  user: string,
  answer: Answer,
  options: { badConfig?: boolean; nssDown?: boolean } = {},
) {
  const out: { message: string; isError: boolean }[] = [];
  const calls: { url: string; body: unknown; auth: string | null }[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    calls.push({
      url,
      body: JSON.parse(String(init.body)),
      auth: new Headers(init.headers).get('authorization'),
    });
    if (answer === 'down')
      throw Object.assign(new TypeError('fetch failed'), {
        cause: new Error('connect ECONNREFUSED'),
      });
    return new Response(answer.body === undefined ? '' : JSON.stringify(answer.body), {
      status: answer.status,
    });
  }) as unknown as typeof fetch;
  const code = await runPam({
    env: { PAM_TYPE: type, PAM_USER: user, PAM_SERVICE: 'lightdm' },
    config: () => {
      if (options.badConfig)
        throw new Error('/etc/lanctl/presenced.yml: key "interval_seconds": bad');
      return config;
    },
    systemHostname: () => 'pc12.prolo',
    write: (line) => out.push(JSON.parse(line)),
    passwd: {
      byName: async (name) => {
        if (options.nssDown) throw new Error('getent passwd alice: no answer within 5000 ms');
        const login = ALIASES[name] ?? name;
        const uid = UIDS[login];
        return uid === undefined
          ? null
          : ({ login, uid, gid: 1, home: '/', shell: '' } as PasswdEntry);
      },
    },
    fetch: fetchImpl,
  });
  return { code, out, calls };
}

const ok = { status: 200, body: { login: 'alice', hostname: 'pc12' } };
const busy = { status: 423, body: { error: { code: 'busy', message: 'pc12 is busy' } } };

describe('runPam', () => {
  it('account: progress, then presence login with the workstation token and hostname', async () => {
    const { code, out, calls } = await run('account', 'alice', ok);
    expect(code).toBe(0);
    expect(out).toEqual([
      { message: 'Checking user…', isError: false },
      { message: 'Asking presence…', isError: false },
    ]);
    expect(calls).toEqual([
      {
        url: 'http://presence.test:20060/api/v1/presence/login',
        body: { login: 'alice', hostname: 'pc12' },
        auth: 'Bearer tok',
      },
    ]);
  });

  it('account refused: "Login forbidden: <SADM text>", exit 1', async () => {
    const { code, out } = await run('account', 'alice', busy);
    expect(code).toBe(1);
    expect(out.at(-1)).toEqual({ message: 'Login forbidden: pc12 is busy', isError: true });
  });

  it('presence down: refused with a clear message (fail closed)', async () => {
    const { code, out } = await run('account', 'alice', 'down');
    expect(code).toBe(1);
    expect(out.at(-1)?.isError).toBe(true);
    expect(out.at(-1)?.message).toMatch(
      /^Login impossible: presence cannot confirm this login \(cannot reach presence at http:\/\/presence.test:20060: connect ECONNREFUSED\)/,
    );
  });

  it('open_session: logs in again and says the home is local', async () => {
    const { code, out, calls } = await run('open_session', 'alice', ok);
    expect(code).toBe(0);
    expect(calls.map((c) => c.url)).toEqual(['http://presence.test:20060/api/v1/presence/login']);
    expect(out).toEqual([{ message: HOME_NOT_MANAGED, isError: false }]);
    expect((await run('open_session', 'alice', busy)).code).toBe(1);
  });

  it('close_session: logout; a refusal or no answer still closes', async () => {
    const done = await run('close_session', 'alice', ok);
    expect(done).toMatchObject({ code: 0, out: [] });
    expect(done.calls[0]?.url).toMatch(/\/presence\/logout$/);
    const refused = await run('close_session', 'alice', {
      status: 423,
      body: { error: { code: 'wrong_host', message: 'Requested logout from the wrong hostname' } },
    });
    expect(refused.code).toBe(0);
    expect(refused.out[0]?.message).toMatch(
      /^Logout not recorded \(presence refused: Requested logout/,
    );
    expect((await run('close_session', 'alice', 'down')).code).toBe(0);
  });

  it('root, unknown users and other PAM types pass without a call', async () => {
    for (const [type, user] of [
      ['account', 'root'],
      ['account', 'ghost'],
      ['auth', 'alice'],
    ]) {
      const { code, out, calls } = await run(type as string, user as string, 'down');
      expect({ code, out, calls }).toEqual({ code: 0, out: [], calls: [] });
    }
  });

  it('a broken config refuses every uid ≥ 1000, naming the problem, and lets root in', async () => {
    for (const user of ['alice', 'carol']) {
      const refused = await run('account', user, ok, { badConfig: true });
      expect(refused.code).toBe(1);
      expect(refused.calls).toEqual([]);
      expect(refused.out).toEqual([
        {
          message:
            'Login impossible: lanctl-pam cannot load its config (/etc/lanctl/presenced.yml: key "interval_seconds": bad), so every user with uid ≥ 1000 is refused until an organizer fixes it',
          isError: true,
        },
      ]);
    }
    expect(await run('account', 'root', ok, { badConfig: true })).toMatchObject({
      code: 0,
      out: [],
    });
    const closing = await run('close_session', 'alice', ok, { badConfig: true });
    expect(closing.code).toBe(0);
    expect(closing.out[0]?.message).toMatch(/^Logout not recorded: lanctl-pam cannot load/);
  });

  it('a managed uid under another name is refused without asking presence', async () => {
    const { code, out, calls } = await run('account', 'Alice', ok);
    expect({ code, calls }).toEqual({ code: 1, calls: [] });
    expect(out).toEqual([
      {
        message:
          'Login forbidden: the user database answers "Alice" with the account alice (uid 15000); log in as alice',
        isError: true,
      },
    ]);
  });

  it('a failing passwd look-up refuses, except at close_session', async () => {
    const refused = await run('account', 'alice', ok, { nssDown: true });
    expect(refused).toMatchObject({ code: 1, calls: [] });
    expect(refused.out).toEqual([
      {
        message:
          'Login impossible: cannot look alice up: getent passwd alice: no answer within 5000 ms',
        isError: true,
      },
    ]);
    const closing = await run('close_session', 'alice', ok, { nssDown: true });
    expect(closing).toMatchObject({ code: 0, calls: [] });
    expect(closing.out[0]).toEqual({
      message:
        'Logout not recorded: cannot look alice up: getent passwd alice: no answer within 5000 ms',
      isError: false,
    });
  });
});
