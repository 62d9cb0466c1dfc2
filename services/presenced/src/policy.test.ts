import { describe, expect, it } from 'vitest';
import type { PasswdEntry } from './passwd.ts';
import { decideHeartbeat, decidePam, type PamDecision, type PamEnv } from './policy.ts';

const range = { min: 10_000, max: 19_999 };
const entry = (login: string, uid: number): PasswdEntry => ({
  login,
  uid,
  gid: 100,
  home: `/home/${login}`,
  shell: '/bin/bash',
});

describe('decideHeartbeat (SADM heartbeat.py)', () => {
  it.each([
    [[], { kind: 'idle' }],
    [['alice'], { kind: 'send', login: 'alice' }],
    [['alice', 'alice'], { kind: 'send', login: 'alice' }],
    [['bob', 'alice'], { kind: 'several_users', logins: ['alice', 'bob'] }],
  ])('%j → %j', (logins, expected) => {
    expect(decideHeartbeat(logins)).toEqual(expected);
  });
});

describe('decidePam (SADM pam_prologin.py)', () => {
  const alice = entry('alice', 15_000);
  const env = (type: string, user = 'alice', service = 'lightdm'): PamEnv => ({
    PAM_TYPE: type,
    PAM_USER: user,
    PAM_SERVICE: service,
  });
  it.each<[string, PamEnv, PasswdEntry | null, string]>([
    ['account', env('account'), alice, 'account'],
    ['open_session', env('open_session'), alice, 'open'],
    ['close_session', env('close_session'), alice, 'close'],
    ['auth is not checked', env('auth'), alice, 'skip'],
    ['password is not checked', env('password'), alice, 'skip'],
    ['no PAM_TYPE', { PAM_USER: 'alice' }, alice, 'skip'],
    ['systemd-user', env('account', 'alice', 'systemd-user'), alice, 'skip'],
    ['root', env('account', 'root'), entry('root', 0), 'skip'],
    ['a system user', env('account', 'www'), entry('www', 33), 'skip'],
    ['uid just below', env('account', 'x'), entry('x', 9_999), 'skip'],
    ['uid at min', env('account', 'x'), entry('x', 10_000), 'account'],
    ['uid at max', env('account', 'x'), entry('x', 19_999), 'account'],
    ['uid just above', env('account', 'x'), entry('x', 20_000), 'skip'],
    ['unknown user', env('account', 'ghost'), null, 'skip'],
    ['no PAM_USER', { PAM_TYPE: 'account' }, null, 'skip'],
    ['another name, unmanaged uid (ROOT → root)', env('account', 'ROOT'), entry('root', 0), 'skip'],
    ['another name, managed uid (Alice → alice)', env('account', 'Alice'), alice, 'refuse'],
    ['a numeric name read as a uid', env('account', '15000'), alice, 'refuse'],
    ['another name, open_session', env('open_session', 'Alice'), alice, 'refuse'],
    ['another name, close_session', env('close_session', 'Alice'), alice, 'unrecorded'],
  ])('%s', (_what, pamEnv, passwd, kind) => {
    const decision = decidePam(pamEnv, passwd, range);
    expect(decision.kind).toBe(kind);
    if (decision.kind === 'skip') expect(decision.reason).not.toBe('');
    else if ('login' in decision) expect(decision.login).toBe(pamEnv.PAM_USER);
  });

  it('never asks presence about a type named like an Object property', () => {
    expect(decidePam(env('constructor'), alice, range).kind).toBe('skip');
    expect(decidePam(env('toString'), alice, range).kind).toBe('skip');
  });

  it('says why another name is refused, and which name to use', () => {
    expect(decidePam(env('account', 'Alice'), alice, range)).toEqual({
      kind: 'refuse',
      message:
        'Login forbidden: the user database answers "Alice" with the account alice (uid 15000); log in as alice',
    });
    expect(decidePam(env('close_session', '15000'), alice, range)).toEqual({
      kind: 'unrecorded',
      message:
        'Logout not recorded: the user database answers "15000" with the account alice (uid 15000); log in as alice',
    });
  });

  describe('with a broken config', () => {
    const broken = { error: 'presenced.yml: key "a": bad\npresenced.yml: key "b": bad' };
    const message =
      'Login impossible: lanctl-pam cannot load its config (presenced.yml: key "a": bad; presenced.yml: key "b": bad), so every user with uid ≥ 1000 is refused until an organizer fixes it';
    it.each<[string, PamEnv, PasswdEntry | null, PamDecision['kind']]>([
      ['root passes', env('account', 'root'), entry('root', 0), 'skip'],
      ['uid 999 passes', env('account', 'x'), entry('x', 999), 'skip'],
      ['uid 1000 is refused', env('account', 'x'), entry('x', 1_000), 'refuse'],
      [
        'uid 5000 (outside the default range) is refused',
        env('account', 'x'),
        entry('x', 5_000),
        'refuse',
      ],
      ['a default managed uid is refused', env('open_session'), alice, 'refuse'],
      ['nobody (65534) is refused', env('account', 'nobody'), entry('nobody', 65_534), 'refuse'],
      ['close_session is not recorded, and passes', env('close_session'), alice, 'unrecorded'],
      ['an unknown user passes', env('account', 'ghost'), null, 'skip'],
      ['other PAM types pass', env('auth'), alice, 'skip'],
      ['systemd-user passes', env('account', 'alice', 'systemd-user'), alice, 'skip'],
    ])('%s', (_what, pamEnv, passwd, kind) => {
      expect(decidePam(pamEnv, passwd, broken).kind).toBe(kind);
    });

    it('names the config problem on one line', () => {
      expect(decidePam(env('account', 'x'), entry('x', 5_001), broken)).toEqual({
        kind: 'refuse',
        message,
      });
    });
  });
});
