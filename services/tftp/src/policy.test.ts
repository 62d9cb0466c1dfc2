import type { RequestPacket, TftpOption } from '@lanctl/tftp-wire';
import { describe, expect, it } from 'vitest';
import { decideRequest, negotiate } from './policy.ts';

const rrq = (filename: string, mode = 'octet'): RequestPacket => ({
  op: 'rrq',
  filename,
  mode,
  options: [],
});
const aliases = { 'prologin.kpxe': 'undionly.kpxe', 'efi/boot.efi': 'snponly.efi' };

describe('decideRequest', () => {
  it.each([
    ['undionly.kpxe', 'undionly.kpxe'],
    ['/undionly.kpxe', 'undionly.kpxe'],
    ['//efi/./x.efi', 'efi/x.efi'],
    ['prologin.kpxe', 'undionly.kpxe'],
    ['/prologin.kpxe', 'undionly.kpxe'],
    ['efi/boot.efi', 'snponly.efi'],
    ['Prologin.kpxe', 'Prologin.kpxe'],
    ['a..b', 'a..b'],
  ])('serves %s as %s', (name, path) => {
    expect(decideRequest(rrq(name), aliases)).toEqual({ kind: 'serve', path, mode: 'octet' });
  });

  it.each([
    [rrq('../etc/passwd'), 2, 'traversal'],
    [rrq('/x/../../etc/passwd'), 2, 'traversal'],
    [rrq('..'), 2, 'traversal'],
    [rrq('..\\etc\\passwd'), 2, 'bad_name'],
    [rrq('a\x01b'), 2, 'bad_name'],
    [rrq('/'), 1, 'not_found'],
    [rrq('x', 'mail'), 4, 'bad_mode'],
    [rrq('x', 'binary'), 4, 'bad_mode'],
    [{ ...rrq('x'), op: 'wrq' as const }, 2, 'write_refused'],
  ])('refuses %j with error %i (%s)', (request, code, reason) => {
    expect(decideRequest(request, aliases)).toMatchObject({ kind: 'refuse', code, reason });
  });

  it('keeps netascii', () => {
    expect(decideRequest(rrq('a.txt', 'netascii'), {})).toMatchObject({ mode: 'netascii' });
  });
});

const limits = { maxBlksize: 1468, maxWindowsize: 16, timeoutMs: 1000 };
const opts = (...pairs: [string, string][]): TftpOption[] =>
  pairs.map(([name, value]) => ({ name, value }));

describe('negotiate', () => {
  it('without options: no OACK, RFC 1350 defaults', () => {
    expect(negotiate([], 100, limits)).toEqual({
      oack: null,
      blksize: 512,
      windowsize: 1,
      timeoutMs: 1000,
    });
  });

  it('answers tsize with the real size and grants blksize, timeout and windowsize', () => {
    const n = negotiate(
      opts(['tsize', '0'], ['blksize', '1432'], ['timeout', '3'], ['windowsize', '4']),
      74213,
      limits,
    );
    expect(n).toEqual({
      oack: opts(['tsize', '74213'], ['blksize', '1432'], ['timeout', '3'], ['windowsize', '4']),
      blksize: 1432,
      windowsize: 4,
      timeoutMs: 3000,
    });
  });

  it('lowers blksize and windowsize to the limits', () => {
    const n = negotiate(opts(['blksize', '65464'], ['windowsize', '64']), 1, limits);
    expect(n.oack).toEqual(opts(['blksize', '1468'], ['windowsize', '16']));
  });

  it.each([
    ['blksize', '7'],
    ['blksize', 'abc'],
    ['blksize', '-1'],
    ['blksize', ''],
    ['timeout', '0'],
    ['timeout', '256'],
    ['windowsize', '0'],
    ['windowsize', '65536'],
    ['tsize', 'x'],
    ['multicast', ''],
  ])('leaves out %s=%j (the client keeps the default)', (name, value) => {
    expect(negotiate(opts([name, value]), 10, limits).oack).toBeNull();
  });

  it('takes the first of a repeated option', () => {
    const n = negotiate(opts(['blksize', '1024'], ['blksize', '8']), 10, limits);
    expect(n.oack).toEqual(opts(['blksize', '1024']));
    expect(n.blksize).toBe(1024);
  });
});
