/**
 * The PAM helper through a real PAM stack: pam_exec runs bin/lanctl-pam, pamtester drives it,
 * against a running presence (real mdb and udb) and real system users (useradd).
 */
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getentLookup } from '../../services/presenced/src/passwd.ts';
import { decidePam } from '../../services/presenced/src/policy.ts';
import { deadPort, randomName, startWorld, type World } from './world.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const HELPER = join(ROOT, 'services/presenced/bin/lanctl-pam');
const HOST = 'pamws1';
let world: World;
let alice: string;
let bob: string;
const pamFiles: string[] = [];

interface PamRun {
  code: number | null;
  output: string;
  /** The helper's greeter lines (pam_exec `stdout` hands them to pamtester). */
  greeter: { message: string; isError: boolean }[];
}

/** /etc/pam.d/lanctl-test-<random>: SADM's lines, with the helper and its config. */
function pamService(configFile: string): string {
  const name = randomName('lanctl-test-');
  const exec = `pam_exec.so quiet stdout ${HELPER} --config ${configFile}`;
  const file = `/etc/pam.d/${name}`;
  writeFileSync(
    file,
    [
      'auth     required  pam_permit.so',
      `account  requisite ${exec}`,
      'account  required  pam_permit.so',
      `session  requisite ${exec}`,
      'session  required  pam_permit.so',
      '',
    ].join('\n'),
  );
  pamFiles.push(file);
  return name;
}

function pamtester(service: string, user: string, ...ops: string[]): Promise<PamRun> {
  return new Promise((done) => {
    execFile(
      'pamtester',
      ['-v', service, user, ...ops],
      { timeout: 60_000 },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        const greeter = output
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l));
        const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
        done({ code, output, greeter });
      },
    );
  });
}

function writeConfig(name: string, presenceUrl: string, extra: string[] = []): string {
  const file = join(world.dir.path, `${name}.yml`);
  writeFileSync(
    file,
    [
      `presence_url: ${presenceUrl}`,
      `token_file: ${world.tokenFile}`,
      `hostname: ${HOST}`,
      'request_timeout_seconds: 10',
      ...(extra.length ? extra : ['managed_uids: { min: 10000, max: 19999 }']),
      '',
    ].join('\n'),
  );
  return file;
}

let up: string;
let down: string;
/** managed_uids 5000-5999 and a schema error: the helper must not fall back to 10000-19999. */
let broken: string;
let brokenFile: string;

beforeAll(async () => {
  world = await startWorld();
  await world.addMachine(HOST);
  alice = await world.addUser();
  bob = await world.addUser();
  up = pamService(writeConfig('up', world.presenceUrl));
  down = pamService(writeConfig('down', `http://127.0.0.1:${await deadPort()}`));
  brokenFile = writeConfig('broken', world.presenceUrl, [
    'managed_uids: { min: 5000, max: 5999 }',
    'interval_seconds: 0',
  ]);
  broken = pamService(brokenFile);
}, 120_000);

afterAll(async () => {
  for (const file of pamFiles) rmSync(file, { force: true });
  await world?.close();
});

describe('lanctl-pam under pam_exec (pamtester)', () => {
  it('lets a managed user in, and presence shows the session', async () => {
    const run = await pamtester(up, alice, 'acct_mgmt', 'open_session');
    expect(run.code, run.output).toBe(0);
    expect(run.greeter).toEqual([
      { message: 'Checking user…', isError: false },
      { message: 'Asking presence…', isError: false },
      { message: 'home server: not managed by lanctl yet; using the local /home', isError: false },
    ]);
    expect(await world.sessions()).toEqual([`${alice}@${HOST}`]);
  }, 60_000);

  it('refuses a second user on the busy machine with SADM’s text', async () => {
    const run = await pamtester(up, bob, 'acct_mgmt');
    expect(run.code, run.output).not.toBe(0);
    expect(run.greeter.at(-1)).toEqual({
      message: `Login forbidden: ${HOST} is busy`,
      isError: true,
    });
    expect(await world.sessions()).toEqual([`${alice}@${HOST}`]);
  }, 60_000);

  it('close_session ends the session', async () => {
    const run = await pamtester(up, alice, 'close_session');
    expect(run.code, run.output).toBe(0);
    expect(await world.sessions()).toEqual([]);
  }, 60_000);

  it('lets root and unmanaged users through with presence down', async () => {
    for (const user of ['root', 'nobody']) {
      const run = await pamtester(down, user, 'acct_mgmt', 'open_session', 'close_session');
      expect(run.code, run.output).toBe(0);
      expect(run.greeter).toEqual([]);
    }
  }, 60_000);

  it('refuses a managed user with a clear message when presence is down', async () => {
    const run = await pamtester(down, bob, 'acct_mgmt');
    expect(run.code, run.output).not.toBe(0);
    const last = run.greeter.at(-1);
    expect(last?.isError).toBe(true);
    expect(last?.message).toMatch(
      /^Login impossible: presence cannot confirm this login \(cannot reach presence at http:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED.*\)/,
    );
  }, 60_000);

  it('a broken config with its own uid range refuses a uid of that range, and root passes', async () => {
    const carol = world.addLocalUser(5_000);
    const run = await pamtester(broken, carol.login, 'acct_mgmt');
    expect(run.code, run.output).not.toBe(0);
    expect(run.greeter).toEqual([
      {
        message: `Login impossible: lanctl-pam cannot load its config (${brokenFile}: key "interval_seconds": Too small: expected number to be >=0.1), so every user with uid ≥ 1000 is refused until an organizer fixes it`,
        isError: true,
      },
    ]);
    const root = await pamtester(broken, 'root', 'acct_mgmt', 'open_session', 'close_session');
    expect(root.code, root.output).toBe(0);
    expect(await world.sessions()).toEqual([]);
  }, 60_000);

  it('a numeric name that getent reads as another user’s uid is refused', async () => {
    const uid = (await getentLookup().byName(alice))?.uid;
    const run = await pamtester(up, String(uid), 'acct_mgmt');
    expect(run.code, run.output).not.toBe(0);
    expect(run.greeter).toEqual([
      {
        message: `Login forbidden: the user database answers "${uid}" with the account ${alice} (uid ${uid}); log in as ${alice}`,
        isError: true,
      },
    ]);
  }, 60_000);

  it('an option look-alike (-r) is looked up as a name: unknown, it passes without a call', async () => {
    const run = await pamtester(down, '-r', 'acct_mgmt');
    expect(run.code, run.output).toBe(0);
    expect(run.greeter).toEqual([]);
  }, 60_000);
});

/** The look-ups the helper makes, on the real NSS, without paying a node start each. */
describe('getentLookup on real users', () => {
  const passwd = getentLookup();

  it('a numeric login is found by its name, not read as a uid', async () => {
    // Named like bob's uid: `getent passwd <name>` would answer with bob.
    const bobUid = (await passwd.byName(bob))?.uid;
    const numeric = world.addLocalUser(15_000, String(bobUid));
    expect(await passwd.byName(numeric.login)).toMatchObject(numeric);
    const named = decidePam(
      { PAM_TYPE: 'account', PAM_USER: numeric.login },
      await passwd.byName(numeric.login),
      { min: 10_000, max: 19_999 },
    );
    expect(named).toEqual({ kind: 'account', login: numeric.login });
  });

  it('a name with a space, or unknown, is not found; "+0" and "0" are root’s uid', async () => {
    expect(await passwd.byName(`${alice} x`)).toBeNull();
    expect(await passwd.byName(' ')).toBeNull();
    expect(await passwd.byName('-r')).toBeNull();
    expect(await passwd.byName('0')).toMatchObject({ login: 'root', uid: 0 });
    expect(await passwd.byName('+0')).toMatchObject({ login: 'root', uid: 0 });
  });
});
