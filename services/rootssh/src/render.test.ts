import { describe, expect, it } from 'vitest';
import { BEGIN, END, ParseError, render, type UdbUser } from './render.ts';

const ED = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOrootyKey rooty@laptop';
const RSA = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC0admin admin@desk';
const ECDSA = 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBMary';
const HAND = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHandWritten ops@bastion';

const u = (login: string, group: string, ssh_keys: string[]): UdbUser => ({
  login,
  group,
  ssh_keys,
});
const USERS = [
  u('rooty', 'root', [ED]),
  u('admin', 'root', [RSA, '  ']),
  u('mary', 'orga', [ECDSA]),
  u('jdoe', 'user', ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJdoe jdoe@pc']),
];
const BLOCK = [BEGIN, '# admin', RSA, '# rooty', ED, END].join('\n');

describe('render', () => {
  it('writes the keys of root-group users only, by login, in a marked block', () => {
    const out = render(null, USERS);
    expect(out.content).toBe(`${BLOCK}\n`);
    expect(out.keys).toBe(2);
    expect(out.content).not.toContain('Mary');
    expect(out.content).not.toContain('jdoe');
    expect(out.skipped).toEqual([]);
  });

  it.each([
    ['a file without block', `${HAND}\n`, `${HAND}\n${BLOCK}\n`],
    ['a file without final newline', HAND, `${HAND}\n${BLOCK}\n`],
    ['an empty file', '', `${BLOCK}\n`],
    [
      'keys around the block',
      `${HAND}\n${BEGIN}\nold\n${END}\n# after\n`,
      `${HAND}\n${BLOCK}\n# after\n`,
    ],
    ['a block first', `${BEGIN}\n${END}\n${HAND}\n`, `${BLOCK}\n${HAND}\n`],
    ['an end marker without newline', `${HAND}\n${BEGIN}\n${END}`, `${HAND}\n${BLOCK}\n`],
  ])('keeps what is outside the block, byte for byte: %s', (_, current, expected) => {
    expect(render(current, USERS).content).toBe(expected);
  });

  it('is idempotent', () => {
    for (const current of [null, HAND, `${HAND}\n\n# comment\n`, `${BEGIN}\n${END}\n${HAND}`]) {
      const once = render(current, USERS).content;
      expect(render(once, USERS).content).toBe(once);
    }
  });

  it('empties the block (and keeps hand-written keys) when no root has a key', () => {
    expect(
      render(
        `${HAND}\n${BLOCK}\n`,
        USERS.filter((x) => x.group !== 'root'),
      ).content,
    ).toBe(`${HAND}\n${BEGIN}\n${END}\n`);
  });

  it('writes a key shared by two roots once', () => {
    const out = render(null, [u('a', 'root', [ED]), u('b', 'root', [ED])]);
    expect(out.keys).toBe(1);
    expect(out.content).toBe(`${BEGIN}\n# a\n${ED}\n${END}\n`);
  });

  it.each([
    ['two lines in one', `${ED}\nssh-rsa AAAA injected`],
    ['a marker', END],
    ['options', `command="/bin/sh" ${ED}`],
    ['a comment', '# not a key'],
  ])('leaves out a key that is %s, and keeps the others', (_, bad) => {
    const out = render(null, [u('rooty', 'root', [bad, ED])]);
    expect(out.content).toBe(`${BEGIN}\n# rooty\n${ED}\n${END}\n`);
    expect(out.skipped).toEqual([
      { login: 'rooty', reason: expect.stringMatching(/not one public key line/) },
    ]);
  });

  it.each([
    ['BEGIN without END', `${BEGIN}\n${HAND}\n`, /:1: "# BEGIN lanctl managed keys" without/],
    ['END without BEGIN', `${HAND}\n${END}\n`, /:2: "# END lanctl managed keys" without/],
    ['two blocks', `${BEGIN}\n${END}\n${BEGIN}\n${END}\n`, /:3: a second "# BEGIN/],
    ['END before BEGIN', `${END}\n${BEGIN}\n`, /:1: "# END lanctl managed keys" before/],
  ])('refuses a file with %s (ParseError naming the line)', (_, current, message) => {
    expect(() => render(current, USERS, '/root/.ssh/authorized_keys')).toThrow(ParseError);
    expect(() => render(current, USERS, '/root/.ssh/authorized_keys')).toThrow(message);
  });
});
