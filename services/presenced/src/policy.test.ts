import { describe, expect, it } from 'vitest';
import type { PasswdEntry } from './passwd.ts';
import { decideHeartbeat, decidePam, type PamEnv } from './policy.ts';

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
    ['entry of another user', env('account', 'bob'), alice, 'skip'],
  ])('%s', (_what, pamEnv, passwd, kind) => {
    const decision = decidePam(pamEnv, passwd, range);
    expect(decision.kind).toBe(kind);
    if (decision.kind === 'skip') expect(decision.reason).not.toBe('');
    else expect(decision.login).toBe(pamEnv.PAM_USER);
  });

  it('never asks presence about a type named like an Object property', () => {
    expect(decidePam(env('constructor'), alice, range).kind).toBe('skip');
    expect(decidePam(env('toString'), alice, range).kind).toBe('skip');
  });
});
