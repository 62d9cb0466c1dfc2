import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BootProfile,
  bootProfileCreateSchema,
  bootProfileUpdateSchema,
  cmdlineProblem,
  DEFAULT_BOOT_PROFILES,
  resolveBootProfile,
} from './boot.ts';

const profile = (name: string, mtypes: string[], rooms: string[]): BootProfile => ({
  name,
  description: '',
  kind: 'local',
  kernel: '',
  initrds: [],
  cmdline: '',
  mtypes,
  rooms,
  created_at: '',
  updated_at: '',
});

const ALL = [
  profile('any', [], []),
  profile('by-room', [], ['pasteur']),
  profile('by-type', ['user'], []),
  profile('both', ['user'], ['pasteur']),
  profile('both-b', ['user', 'orga'], ['pasteur', 'alt']),
];

const pick = (mtype: string, room: string, profiles = ALL, boot_profile: string | null = null) =>
  resolveBootProfile({ mtype, room, boot_profile }, profiles)?.name ?? null;

describe('resolveBootProfile', () => {
  it.each([
    // mtype, room, expected: (mtype AND room) > mtype only > room only > default; ties by name
    ['user', 'pasteur', 'both'],
    ['orga', 'alt', 'both-b'],
    ['user', 'alt', 'both-b'],
    ['user', 'other', 'by-type'],
    ['service', 'pasteur', 'by-room'],
    ['service', 'other', 'any'],
  ])('%s in %s boots %s', (mtype, room, expected) => {
    expect(pick(mtype, room)).toBe(expected);
  });

  it('takes mtype-only over room-only, and room-only over the default', () => {
    expect(
      pick('user', 'pasteur', [profile('r', [], ['pasteur']), profile('t', ['user'], [])]),
    ).toBe('t');
    expect(pick('user', 'pasteur', [profile('a', [], []), profile('r', [], ['pasteur'])])).toBe(
      'r',
    );
  });

  it('is null when nothing matches, and breaks ties by name whatever the order', () => {
    expect(pick('cluster', 'other', [profile('t', ['user'], [])])).toBeNull();
    const tied = [profile('zed', ['user'], []), profile('abc', ['user'], [])];
    expect(pick('user', 'x', tied)).toBe('abc');
    expect(pick('user', 'x', [...tied].reverse())).toBe('abc');
  });

  it('follows the override, even against a better match, and is null for a vanished profile', () => {
    expect(pick('user', 'pasteur', ALL, 'any')).toBe('any');
    expect(pick('user', 'pasteur', ALL, 'gone')).toBeNull();
  });

  it('seeds contestant for user and orga, the local disk for servers, nothing for cluster', () => {
    const seeded = DEFAULT_BOOT_PROFILES.map((p) => ({ ...p, created_at: '', updated_at: '' }));
    expect(pick('user', 'pasteur', seeded)).toBe('contestant');
    expect(pick('orga', 'other', seeded)).toBe('contestant');
    expect(pick('service', 'other', seeded)).toBe('local-disk');
    expect(pick('cluster', 'cluster', seeded)).toBeNull();
    for (const p of DEFAULT_BOOT_PROFILES)
      expect(bootProfileCreateSchema.safeParse(p).success).toBe(true);
  });
});

const fieldsOf = (input: unknown) => {
  const r = bootProfileCreateSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
};

describe('bootProfileCreateSchema', () => {
  it('accepts each kind with its own rules', () => {
    expect(
      fieldsOf({ name: 'p', kind: 'rfs', kernel: 'vmlinuz-linux', initrds: ['a.img'] }),
    ).toEqual([]);
    expect(
      fieldsOf({
        name: 'p',
        kind: 'http',
        kernel: 'https://x.example/k?a=1',
        initrds: ['http://h/i'],
      }),
    ).toEqual([]);
    expect(fieldsOf({ name: 'p', kind: 'local' })).toEqual([]);
  });

  it.each([
    [{ kind: 'rfs', kernel: '' }, 'kernel'],
    [{ kind: 'rfs', kernel: '../vmlinuz' }, 'kernel'],
    [{ kind: 'rfs', kernel: 'boot/vmlinuz' }, 'kernel'],
    [{ kind: 'rfs', kernel: 'vm linuz' }, 'kernel'],
    [{ kind: 'rfs', kernel: 'vmlinuz;reboot' }, 'kernel'],
    [{ kind: 'rfs', kernel: '$x' }, 'kernel'],
    [{ kind: 'rfs', kernel: 'k', initrds: ['ok.img', 'b"ad'] }, 'initrds.1'],
    [{ kind: 'http', kernel: 'vmlinuz' }, 'kernel'],
    [{ kind: 'http', kernel: 'ftp://h/k' }, 'kernel'],
    [{ kind: 'http', kernel: 'http://h/k k' }, 'kernel'],
    [{ kind: 'http', kernel: "http://h/k'" }, 'kernel'],
    [{ kind: 'local', kernel: 'vmlinuz' }, 'kernel'],
    [{ kind: 'local', initrds: ['x'] }, 'initrds'],
    [{ kind: 'boot' }, 'kind'],
    [{ kind: 'rfs', kernel: 'k', initrds: Array(9).fill('i') }, 'initrds'],
    [{ kind: 'rfs', kernel: 'k', cmdline: 'a\nb' }, 'cmdline'],
    [{ kind: 'rfs', kernel: 'k', cmdline: 'quiet && reboot' }, 'cmdline'],
    [{ kind: 'rfs', kernel: 'k', cmdline: 'x | y' }, 'cmdline'],
    [{ kind: 'rfs', kernel: 'k', cmdline: 'a "b"' }, 'cmdline'],
    [{ kind: 'rfs', kernel: 'k', cmdline: '# comment' }, 'cmdline'],
    [{ kind: 'rfs', kernel: 'k', cmdline: 'x'.repeat(1025) }, 'cmdline'],
    [{ kind: 'rfs', kernel: 'k', mtypes: ['Bad_Type'] }, 'mtypes.0'],
    [{ kind: 'rfs', kernel: 'k', rooms: ['a', 'a'] }, 'rooms'],
    [{ kind: 'rfs', kernel: 'k', extra: 1 }, ''],
  ])('refuses %j naming %s', (fields, field) => {
    expect(fieldsOf({ name: 'p', ...fields })).toContain(field);
  });

  it('takes partial updates without kind rules (mdb checks the merged profile)', () => {
    expect(bootProfileUpdateSchema.parse({ kernel: 'http://h/k' })).toEqual({
      kernel: 'http://h/k',
    });
    expect(bootProfileUpdateSchema.safeParse({ name: 'x' }).success).toBe(false);
  });

  it('cmdlineProblem accepts every printable line without the iPXE-breaking characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        const ok = cmdlineProblem(s) === null;
        const safe =
          /^[ -~]*$/.test(s) && !/["|#]/.test(s) && !s.includes('&&') && s.length <= 1024;
        expect(ok).toBe(safe);
      }),
    );
  });
});
