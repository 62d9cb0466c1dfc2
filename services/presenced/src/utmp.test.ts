import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeUtmp,
  decodeUtmpRecord,
  encodeUtmp,
  loggedInUsers,
  UTMP_RECORD_SIZE,
  type UtmpRecord,
  UtmpType,
} from './utmp.ts';

const session = (user: string, pid: number, line = 'tty1'): UtmpRecord => ({
  type: UtmpType.USER_PROCESS,
  pid,
  line,
  id: line.slice(-4),
  user,
  host: '',
  time: 1_767_225_600,
});

/** Printable ASCII without NUL, at most `max` bytes (what fits in a C char field). */
const cText = (max: number) =>
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    maxLength: max,
  });

const record = fc.record({
  type: fc.integer({ min: -32768, max: 32767 }),
  pid: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  line: cText(32),
  id: cText(4),
  user: cText(32),
  host: cText(256),
  time: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
});

describe('utmp codec', () => {
  it('round-trips any record, in both byte orders', () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 5 }), fc.boolean(), (records, le) => {
        const bytes = encodeUtmp(records, le);
        expect(bytes.length).toBe(records.length * UTMP_RECORD_SIZE);
        expect(decodeUtmp(bytes, le)).toEqual({ records, trailingBytes: 0 });
      }),
    );
  });

  it('decodes any bytes without throwing, ignoring a partial last record', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3 * UTMP_RECORD_SIZE + 17 }), (bytes) => {
        const file = decodeUtmp(bytes);
        expect(file.records).toHaveLength(Math.floor(bytes.length / UTMP_RECORD_SIZE));
        expect(file.trailingBytes).toBe(bytes.length % UTMP_RECORD_SIZE);
        for (const r of file.records) expect(r.user).not.toContain('\0');
      }),
    );
  });

  it('reads a full-width field without a NUL', () => {
    const bytes = encodeUtmp([session('a'.repeat(32), 1)]);
    expect(decodeUtmpRecord(bytes).user).toBe('a'.repeat(32));
  });

  it('refuses a field too long to encode and a record of the wrong size', () => {
    expect(() => encodeUtmp([session('a'.repeat(33), 1)])).toThrow(/does not fit/);
    expect(() => decodeUtmpRecord(new Uint8Array(10))).toThrow(/384 bytes/);
  });

  it('agrees with coreutils `who` on a file it writes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lanctl-utmp-'));
    try {
      const file = join(dir, 'utmp');
      writeFileSync(file, encodeUtmp([session('alice', 1, 'tty3'), session('bob', 1, 'pts/7')]));
      const out = execFileSync('who', [file], { encoding: 'utf8', timeout: 5_000 });
      expect(
        out
          .split('\n')
          .filter(Boolean)
          .map((l) => l.split(/\s+/).slice(0, 2)),
      ).toEqual([
        ['alice', 'tty3'],
        ['bob', 'pts/7'],
      ]);
      expect(execFileSync('who', ['-q', file], { encoding: 'utf8', timeout: 5_000 })).toMatch(
        /^alice bob\n# users=2\n$/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('loggedInUsers (who -q)', () => {
  it('keeps live USER_PROCESS entries, each login once, in file order', () => {
    const file = decodeUtmp(
      encodeUtmp([
        { ...session('', 0), type: UtmpType.BOOT_TIME, line: '~', user: 'reboot' },
        { ...session('LOGIN', 10), type: UtmpType.LOGIN_PROCESS },
        session('carol', 11, 'tty2'),
        session('alice', 12, 'tty1'),
        session('alice', 13, 'pts/0'),
        { ...session('bob', 14), type: UtmpType.DEAD_PROCESS },
        session('dave', 99, 'pts/1'),
        session('', 15),
      ]),
    );
    expect(loggedInUsers(file, (pid) => pid !== 99)).toEqual(['carol', 'alice']);
  });
});
