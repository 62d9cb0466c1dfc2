/**
 * A presence service (with real mdb and udb) and real system users for the workstation tests.
 * Everything created here is removed by `close()`, which the tests call in afterAll.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { issueToken } from '@lanctl/auth';
import type { Listening } from '@lanctl/core';
import { callJson, type TempDir, tempDir } from '@lanctl/testkit';
import { startMdb } from '../../services/mdb/src/testing/harness.ts';
import type { PresenceService } from '../../services/presence/src/index.ts';
import { startPresence, testClock } from '../../services/presence/src/testing/harness.ts';
import { startUdb } from '../../services/udb/src/testing/harness.ts';

export const TIMEOUT_SECONDS = 30;
/** A machine no contestant may use: logging a user in there probes whether presence knows it. */
const PROBE = 'probe-orga';

export interface World {
  dir: TempDir;
  presenceUrl: string;
  /** A `presence:write` token (the workstation's), as a file. */
  tokenFile: string;
  /** Moves presence's clock forward. */
  advance(seconds: number): void;
  /** `login@hostname` of every session. */
  sessions(): Promise<string[]>;
  addMachine(hostname: string): Promise<void>;
  /** A system user (useradd) with a managed uid and the same login in udb. */
  addUser(): Promise<string>;
  /**
   * A system user only (useradd --badname, no udb user): a free uid from `firstUid` (and the
   * next 999), named `login` (default: random). Returns its login and uid.
   */
  addLocalUser(firstUid: number, login?: string): { login: string; uid: number };
  close(): Promise<void>;
}

const run = (cmd: string, args: string[]) =>
  execFileSync(cmd, args, { timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });

/** `<prefix><6 hex>`: a login no real user has. */
export const randomName = (prefix: string) => `${prefix}${randomBytes(3).toString('hex')}`;

/** A TCP port nobody listens on (bound, then closed). */
export async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

/** Polls an async check; tests wait for events, never for a duration. */
export async function until<T>(
  check: () => Promise<T | false>,
  what: string,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startWorld(): Promise<World> {
  const [mdb, udb] = await Promise.all([startMdb('sqlite'), startUdb('sqlite')]);
  const dir = await tempDir('lanctl-presenced-');
  const systemUsers: string[] = [];
  const clock = testClock();
  let service: PresenceService | null = null;
  let http: Listening;
  const cleanup = async () => {
    for (const login of systemUsers) {
      try {
        run('userdel', [login]);
      } catch {
        // already gone
      }
    }
    await service?.stop();
    await Promise.all([mdb.close(), udb.close()]);
    await dir.cleanup();
  };
  try {
    ({ service, http } = await startPresence({
      mdb,
      udb,
      stateDir: `${dir.path}/presence`,
      timeoutSeconds: TIMEOUT_SECONDS,
      clock, // the wall clock, past the "too early" window once ready
      pastTooEarly: true,
    }));
    const r = await mdb.call('POST', '/api/v1/machines', {
      hostname: PROBE,
      mac: 'aa:bb:cc:ff:ff:ff',
      mtype: 'orga',
      room: 'pasteur',
    });
    if (r.status !== 201) throw new Error(`machine ${PROBE}: ${JSON.stringify(r.body)}`);
  } catch (e) {
    await cleanup();
    throw e;
  }
  const tokenFile = `${dir.path}/presenced.token`;
  const token = issueToken(mdb.keys.privateKey, {
    subject: 'ws',
    role: 'reader',
    scopes: ['presence:write'],
  });
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  const reader = mdb.token('reader');
  return {
    dir,
    presenceUrl: http.url,
    tokenFile,
    advance: (seconds) => clock.advance(seconds * 1000),
    async sessions() {
      const r = await callJson(http.url, 'GET', '/api/v1/presence', undefined, reader);
      if (r.status !== 200) throw new Error(`GET /api/v1/presence: ${r.status}`);
      return (r.body.items as { login: string; hostname: string }[])
        .map((s) => `${s.login}@${s.hostname}`)
        .sort();
    },
    async addMachine(hostname) {
      const mac = `aa:bb:cc:${randomBytes(3).toString('hex').match(/../g)?.join(':')}`;
      const r = await mdb.call('POST', '/api/v1/machines', {
        hostname,
        mac,
        mtype: 'user',
        room: 'pasteur',
      });
      if (r.status !== 201) throw new Error(`machine ${hostname}: ${JSON.stringify(r.body)}`);
      await until(
        () => refusedWith('nobody_probe', hostname, 'user_not_registered'),
        `${hostname} in presence`,
      );
    },
    async addUser() {
      const login = randomName('lt');
      const root = udb.keys.token('root');
      const body = { login, firstname: 'Test', lastname: 'User', group: 'user' };
      const r = await udb.call('POST', '/api/v1/users', body, root);
      if (r.status !== 201) throw new Error(`udb user ${login}: ${JSON.stringify(r.body)}`);
      await until(() => refusedWith(login, PROBE, 'user_not_allowed'), `${login} in presence`);
      return addLocalUser(15_000, login).login;
    },
    addLocalUser,
    close: cleanup,
  };

  function addLocalUser(firstUid: number, login = randomName('lt')) {
    for (let uid = firstUid + (randomBytes(2).readUInt16BE() % 1_000); ; uid++) {
      try {
        run('getent', ['passwd', String(uid)]);
      } catch {
        run('useradd', ['--badname', '-u', String(uid), '-M', '-N', login]);
        systemUsers.push(login);
        return { login, uid };
      }
    }
  }

  /**
   * Presence has synced a record once a login is refused for a later reason (SADM's order:
   * machine, then user, then the kind of machine): a refusal changes no state.
   */
  async function refusedWith(login: string, hostname: string, code: string): Promise<boolean> {
    const body = { login, hostname };
    const r = await callJson(http.url, 'POST', '/api/v1/presence/login', body, token);
    return r.status === 423 && r.body.error.code === code;
  }
}
