import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { execResult, getentLookup, parsePasswdLine, readAsUid } from './passwd.ts';

describe('parsePasswdLine', () => {
  it('reads getent output', () => {
    expect(parsePasswdLine('alice:x:15001:100:Alice B:/home/alice:/bin/bash\n')).toEqual({
      login: 'alice',
      uid: 15001,
      gid: 100,
      home: '/home/alice',
      shell: '/bin/bash',
    });
  });

  it.each([
    ['', /7 ":"-separated fields, got 1/],
    ['a:x:1:2:g:/h', /got 6/],
    [':x:1:2:g:/h:/s', /empty login/],
    ['a:x:-1:2:g:/h:/s', /bad uid "-1"/],
    ['a:x:01:2:g:/h:/s', /bad uid "01"/],
    ['a:x:4294967296:2:g:/h:/s', /bad uid/],
    ['a:x:1:z:g:/h:/s', /bad gid "z"/],
  ])('%j → %s', (line, message) => {
    const result = parsePasswdLine(line);
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toMatch(message);
  });

  it('never throws, and an entry it accepts has a whole uid in range', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.array(fc.string(), { maxLength: 8 }).map((a) => a.join(':')),
        ),
        (line) => {
          const result = parsePasswdLine(line);
          if (!(result instanceof Error)) {
            expect(
              Number.isInteger(result.uid) && result.uid >= 0 && result.uid <= 0xffff_ffff,
            ).toBe(true);
            expect(result.login).not.toBe('');
          }
        },
      ),
    );
  });
});

describe('readAsUid (glibc getent: strtoul over the whole key)', () => {
  it.each([
    ['15001', true],
    ['0', true],
    ['+15001', true],
    ['-1', true],
    [' 15001', true],
    ['15001x', false],
    ['x15001', false],
    ['+', false],
    ['', false],
    ['alice', false],
  ])('%j → %s', (name, expected) => {
    expect(readAsUid(name)).toBe(expected);
  });
});

describe('getentLookup', () => {
  const passwd = getentLookup();

  it('finds root; unknown names, option look-alikes and separators are not found', async () => {
    expect(await passwd.byName('root')).toMatchObject({ login: 'root', uid: 0 });
    for (const name of ['no_such_user_lanctl', '-s', '--help', 'a:b', 'pc\n', 'a b']) {
      expect(await passwd.byName(name)).toBeNull();
    }
  });

  it('a numeric name no user has is the uid owner’s entry (the policy compares names)', async () => {
    expect(await passwd.byName('0')).toMatchObject({ login: 'root', uid: 0 });
    expect(await passwd.byName('4000000000')).toBeNull();
  });

  it('a name it cannot ask about is an error, never "not found"', async () => {
    await expect(passwd.byName('a'.repeat(1025))).rejects.toThrow(/1025 characters/);
    await expect(passwd.byName('a\0b')).rejects.toThrow(/NUL/);
  });

  it('takes a timeout computed from fractional seconds', async () => {
    expect(await getentLookup(0.3 * 1000).byName('root')).toMatchObject({ uid: 0 });
  });
});

describe('execResult', () => {
  const error = (fields: object) => Object.assign(new Error('Command failed'), fields);
  it.each([
    ['exit 0 with output', null, 'x\n', { code: 0, timedOut: false }],
    ['exit 2', error({ code: 2 }), '', { code: 2, timedOut: false }],
    [
      'killed by the timeout',
      error({ code: null, killed: true }),
      '',
      { code: null, timedOut: true },
    ],
    ['timeout after exit 0: no output, no error', null, '', { code: null, timedOut: true }],
    ['not started', error({ code: 'ENOENT' }), '', { code: null, timedOut: false }],
  ])('%s', (_what, err, stdout, expected) => {
    expect(execResult(err, stdout, '')).toMatchObject(expected);
  });
});
