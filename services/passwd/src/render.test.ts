import { describe, expect, it } from 'vitest';
import {
  type AccountFiles,
  ConsistencyError,
  checkConsistency,
  ParseError,
  parseGroup,
  parseGshadow,
  parsePasswd,
  parseShadow,
  render,
  shadowGid,
  type UdbUser,
} from './render.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
const TODAY = Math.floor(NOW.getTime() / 86_400_000); // 20513
const OPTIONS = { managedUids: [10000, 20000] as const, now: NOW };

/** A Debian-like root: odd but valid lines (commas and spaces in gecos, `*` and `!` hashes). */
const BASE: AccountFiles = {
  passwd: [
    'root:x:0:0:root:/root:/bin/bash',
    'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
    '_apt:x:42:65534::/nonexistent:/usr/sbin/nologin',
    'alice:x:1000:1000:Alice Local,,,:/home/alice:/bin/bash',
    'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
    '',
  ].join('\n'),
  shadow: [
    'root:$6$r00t$hash:19000:0:99999:7:::',
    'daemon:*:19000:0:99999:7:::',
    '_apt:*:19000:0:99999:7:::',
    'alice:$y$j9T$alice$hash:19100:0:99999:7:::',
    'nobody:*:19000:0:99999:7:::',
    '',
  ].join('\n'),
  group: [
    'root:x:0:',
    'daemon:x:1:',
    'wheel:x:10:alice',
    'shadow:x:42:',
    'sudo:x:27:alice',
    'alice:x:1000:',
    'nogroup:x:65534:',
    '',
  ].join('\n'),
  gshadow: [
    'root:*::',
    'daemon:*::',
    'wheel:*::alice',
    'shadow:*::',
    'sudo:*::alice',
    'alice:!::',
    'nogroup:*::',
    '',
  ].join('\n'),
};

const user = (
  login: string,
  uid: number,
  group: string,
  extra: Partial<UdbUser> = {},
): UdbUser => ({
  login,
  firstname: login[0]!.toUpperCase() + login.slice(1),
  lastname: 'Doe',
  uid,
  group,
  shell: '/bin/bash',
  password_hash: `$6$salt$${login}`,
  ...extra,
});

const USERS = [
  user('rooty', 12000, 'root'),
  user('jdoe', 10001, 'user'),
  user('mary', 11000, 'orga'),
  user('locked', 10002, 'user', { password_hash: undefined }),
];

const linesOf = (text: string | undefined) => (text ?? '').split('\n').filter((l) => l !== '');
const groupLine = (text: string, name: string) =>
  linesOf(text).find((l) => l.startsWith(`${name}:`));

describe('render', () => {
  const out = render(BASE, USERS, OPTIONS);

  it('keeps every unmanaged entry byte for byte, in place, with managed users after, by uid', () => {
    expect(linesOf(out.passwd)).toEqual([
      ...linesOf(BASE.passwd),
      'jdoe:x:10001:10000:Jdoe Doe:/home/jdoe:/bin/bash',
      'locked:x:10002:10000:Locked Doe:/home/locked:/bin/bash',
      'mary:x:11000:10001:Mary Doe:/home/mary:/bin/bash',
      'rooty:x:12000:10:Rooty Doe:/home/rooty:/bin/bash',
    ]);
    expect(linesOf(out.shadow).slice(0, 5)).toEqual(linesOf(BASE.shadow));
    for (const name of ['root', 'daemon', 'shadow', 'alice', 'nogroup']) {
      expect(groupLine(out.group, name)).toBe(groupLine(BASE.group, name));
      expect(groupLine(out.gshadow!, name)).toBe(groupLine(BASE.gshadow!, name));
    }
    expect(out.skipped).toEqual([]);
  });

  it.each([
    // group, SADM memberships: user → [user]; orga → [orga, user]; root → [wheel, orga, user]
    ['wheel', 'wheel:x:10:alice,rooty', 'wheel:*::alice,rooty'],
    ['user', 'user:x:10000:jdoe,locked,mary,rooty', 'user:!::jdoe,locked,mary,rooty'],
    ['orga', 'orga:x:10001:mary,rooty', 'orga:!::mary,rooty'],
    ['sudo', 'sudo:x:27:alice', 'sudo:*::alice'],
  ])('group %s: %s (non-managed members kept, unlike SADM)', (name, line, gline) => {
    expect(groupLine(out.group, name)).toBe(line);
    expect(groupLine(out.gshadow!, name)).toBe(gline);
  });

  it('appends the missing SADM groups sorted by gid, existing ones edited in place', () => {
    expect(linesOf(out.group).slice(-2)).toEqual([
      'user:x:10000:jdoe,locked,mary,rooty',
      'orga:x:10001:mary,rooty',
    ]);
    expect(linesOf(out.group).indexOf('wheel:x:10:alice,rooty')).toBe(2);
  });

  it.each([
    ['jdoe', `jdoe:$6$salt$jdoe:${TODAY}:0:99999:7:::`],
    ['rooty', `rooty:$6$salt$rooty:${TODAY}:0:99999:7:::`],
    ['locked', `locked:!:${TODAY}:0:99999:7:::`],
  ])('shadow line of %s', (login, line) => {
    expect(groupLine(out.shadow, login)).toBe(line);
  });

  it('is idempotent: rendering its own output again, even days later, changes nothing', () => {
    const again = render(out, USERS, OPTIONS);
    const later = render(out, USERS, { ...OPTIONS, now: new Date('2026-06-01T00:00:00Z') });
    for (const r of [again, later]) {
      expect({ ...r, skipped: [], notes: [] }).toEqual({ ...out, skipped: [], notes: [] });
    }
  });

  it('keeps the shadow line (lastchg, aging) of a user whose hash did not change', () => {
    const files = {
      ...out,
      shadow: out.shadow.replace(
        `jdoe:$6$salt$jdoe:${TODAY}:0:99999:7:::`,
        'jdoe:$6$salt$jdoe:19999:1:90:14:30::',
      ),
    };
    const next = render(files, USERS, OPTIONS);
    expect(groupLine(next.shadow, 'jdoe')).toBe('jdoe:$6$salt$jdoe:19999:1:90:14:30::');
    const changed = USERS.map((u) =>
      u.login === 'jdoe' ? { ...u, password_hash: '$6$new$h' } : u,
    );
    expect(groupLine(render(files, changed, OPTIONS).shadow, 'jdoe')).toBe(
      `jdoe:$6$new$h:${TODAY}:0:99999:7:::`,
    );
  });

  it('deletes a user from passwd, shadow, every group and gshadow, and nothing else', () => {
    const withSudo = {
      ...out,
      group: out.group.replace('sudo:x:27:alice', 'sudo:x:27:alice,mary'),
      gshadow: out.gshadow!.replace('sudo:*::alice', 'sudo:*:mary:alice,mary'),
    };
    const next = render(
      withSudo,
      USERS.filter((u) => u.login !== 'mary'),
      OPTIONS,
    );
    for (const file of [next.passwd, next.shadow, next.group, next.gshadow!]) {
      expect(file).not.toMatch(/\bmary\b/);
    }
    expect(groupLine(next.group, 'sudo')).toBe('sudo:x:27:alice');
    expect(groupLine(next.gshadow!, 'sudo')).toBe('sudo:*::alice');
    expect(groupLine(next.group, 'orga')).toBe('orga:x:10001:rooty');
    expect(linesOf(next.passwd).slice(0, 5)).toEqual(linesOf(BASE.passwd));
  });

  it('moves a user between groups: a root demoted to user leaves wheel and orga', () => {
    const demoted = USERS.map((u) => (u.login === 'rooty' ? { ...u, group: 'user' } : u));
    const next = render(out, demoted, OPTIONS);
    expect(groupLine(next.group, 'wheel')).toBe('wheel:x:10:alice');
    expect(groupLine(next.group, 'orga')).toBe('orga:x:10001:mary');
    expect(groupLine(next.passwd, 'rooty')).toBe(
      'rooty:x:12000:10000:Rooty Doe:/home/rooty:/bin/bash',
    );
  });

  it('moves managed entries found among unmanaged ones to the end, sorted by uid', () => {
    const files = {
      ...BASE,
      passwd: BASE.passwd.replace(
        'alice:',
        'mary:x:11000:10001:Mary Doe:/home/mary:/bin/bash\nalice:',
      ),
      shadow: BASE.shadow.replace('alice:', 'mary:$6$salt$mary:19000:0:99999:7:::\nalice:'),
    };
    const next = render(files, USERS, OPTIONS);
    expect(next.passwd).toBe(out.passwd);
    expect(groupLine(next.shadow, 'mary')).toBe('mary:$6$salt$mary:19000:0:99999:7:::');
  });

  it('writes no gshadow when the root has none', () => {
    const { gshadow: _none, ...files } = BASE;
    expect(render(files, USERS, OPTIONS).gshadow).toBeUndefined();
  });

  it("creates wheel on the highest free system gid when SADM's gid 10 is another group's", () => {
    const files = {
      ...BASE,
      group: BASE.group.replace('wheel:x:10:alice', 'uucp:x:10:'),
      gshadow: BASE.gshadow!.replace('wheel:*::alice', 'uucp:*::'),
    };
    const next = render(files, USERS, OPTIONS);
    expect(groupLine(next.group, 'wheel')).toBe('wheel:x:999:rooty');
    expect(groupLine(next.group, 'uucp')).toBe('uucp:x:10:');
    expect(groupLine(next.passwd, 'rooty')).toMatch(/^rooty:x:12000:999:/);
    expect(next.notes).toEqual(['group wheel created with gid 999: gid 10 is taken']);
  });

  it.each([
    ['uid outside the managed range', user('low', 9999, 'user'), /outside the managed range/],
    ['a system login of this root', user('alice', 10500, 'user'), /system account/],
    ['a uid taken by an earlier user', user('zed', 10001, 'user'), /uid 10001 is also jdoe's/],
    ['":" in a name', user('colon', 10600, 'user', { lastname: 'a:b' }), /lastname/],
    ['a newline in a name', user('nl', 10601, 'user', { firstname: 'a\nb' }), /firstname/],
    ['an unknown group', user('odd', 10602, 'admin'), /unknown group "admin"/],
    ['a bad login', user('Bad-Login', 10603, 'user'), /not a valid login/],
    ['a relative shell', user('sh', 10604, 'user', { shell: 'bash' }), /shell/],
    ['a hash with ":"', user('hh', 10605, 'user', { password_hash: 'a:b' }), /password_hash/],
  ])('leaves out a user with %s, and keeps the others', (_, bad, reason) => {
    const next = render(BASE, [...USERS, bad], OPTIONS);
    expect(next.skipped).toEqual([{ login: bad.login, reason: expect.stringMatching(reason) }]);
    expect(next.passwd).toBe(out.passwd);
    expect(next.shadow).toBe(out.shadow);
  });

  it('renders a root with no managed user at all unchanged except for the SADM groups', () => {
    const next = render(BASE, [], OPTIONS);
    expect(next.passwd).toBe(BASE.passwd);
    expect(next.shadow).toBe(BASE.shadow);
    expect(linesOf(next.group).slice(-2)).toEqual(['user:x:10000:', 'orga:x:10001:']);
  });

  it('refuses a root whose shadow has a line without passwd user, or the reverse', () => {
    const orphan = { ...BASE, shadow: `${BASE.shadow}ghost:*:1:0:99999:7:::\n` };
    expect(() => render(orphan, USERS, OPTIONS)).toThrow(ConsistencyError);
    expect(() => render(orphan, USERS, OPTIONS)).toThrow(
      /shadow lines without a passwd user: ghost/,
    );
    const missing = { ...BASE, shadow: BASE.shadow.replace('daemon:*:19000:0:99999:7:::\n', '') };
    expect(() => render(missing, USERS, OPTIONS)).toThrow(
      /passwd users without a shadow line: daemon/,
    );
  });
});

describe('parsers', () => {
  it.each([
    ['passwd', 'root:x:0:0:root:/root', parsePasswd, /passwd:1: expected 7 fields/],
    ['passwd', 'root:x:zero:0:root:/root:/bin/sh', parsePasswd, /passwd:1: uid "zero"/],
    ['passwd', 'root:x:0:0::/root:/bin/sh\n\nx:x:1:1:::', parsePasswd, /passwd:2: expected 7/],
    ['passwd', '+::::::', parsePasswd, /passwd:1: "\+" is not a user or group name/],
    [
      'passwd',
      'a:x:1:1:::\na:x:2:2:::',
      parsePasswd,
      /passwd:2: duplicate entry "a" \(also line 1\)/,
    ],
    ['passwd', 'a:x:1:1:::\r', parsePasswd, /control character/],
    ['passwd', 'a:x:4294967295:1:::', parsePasswd, /uid "4294967295"/],
    ['shadow', 'root:*:19000:0:99999:7::', parseShadow, /shadow:1: expected 9 fields/],
    ['shadow', 'root:*:soon:0:99999:7:::', parseShadow, /shadow:1: field 3 "soon"/],
    ['group', 'wheel:x:10:alice,,bob', parseGroup, /group:1: members: "" is not/],
    ['group', 'wheel:x:-1:', parseGroup, /gid "-1"/],
    ['gshadow', 'wheel:*:a b:', parseGshadow, /gshadow:1: administrators: "a b"/],
  ])('%s: rejects %j', (_, text, parse, message) => {
    expect(() => parse(text)).toThrow(ParseError);
    expect(() => parse(text)).toThrow(message);
  });

  it('names the file it was given in the error', () => {
    expect(() => parsePasswd('x', '/export/nfsroot/etc/passwd')).toThrow(
      /^\/export\/nfsroot\/etc\/passwd:1: /,
    );
  });

  it('parses the fixture, keeping each line as read', () => {
    const entries = parsePasswd(BASE.passwd);
    expect(entries.map((e) => e.line)).toEqual(linesOf(BASE.passwd));
    expect(entries[3]).toMatchObject({
      name: 'alice',
      uid: 1000,
      gid: 1000,
      gecos: 'Alice Local,,,',
    });
    expect(parseGroup('wheel:x:10:a,b')[0]).toMatchObject({ gid: 10, members: ['a', 'b'] });
    expect(parseShadow('')).toEqual([]);
  });

  it('refuses a render whose input is unparsable, naming the file', () => {
    expect(() => render({ ...BASE, group: `${BASE.group}broken line\n` }, USERS, OPTIONS)).toThrow(
      /^group:8: /,
    );
  });
});

describe('checkConsistency and shadowGid', () => {
  it('accepts the rendered files and finds the shadow group', () => {
    expect(() => checkConsistency(render(BASE, USERS, OPTIONS))).not.toThrow();
    expect(shadowGid(BASE.group)).toBe(42);
    expect(shadowGid('root:x:0:\n')).toBe(0);
  });

  it('reports a group member without passwd user and a group without gshadow line', () => {
    const files = { ...BASE, group: `${BASE.group}extra:x:500:ghost\n` };
    expect(() => checkConsistency(files)).toThrow(/groups without a gshadow line: extra/);
    expect(() => checkConsistency(files)).toThrow(
      /group members without a passwd user: extra:ghost/,
    );
  });
});
