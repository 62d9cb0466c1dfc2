import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getentLookup, isLookupName, parsePasswdLine } from './passwd.ts';

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

describe('getentLookup', () => {
  it('finds root, and unknown or unaskable names are null', async () => {
    const passwd = getentLookup();
    expect(await passwd.byName('root')).toMatchObject({ login: 'root', uid: 0 });
    expect(await passwd.byName('no_such_user_lanctl')).toBeNull();
    expect(await passwd.byName('-s')).toBeNull();
    expect(isLookupName('a:b')).toBe(false);
    expect(isLookupName('pc\n')).toBe(false);
  });
});
