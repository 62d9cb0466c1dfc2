import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chainTo,
  echo,
  exact,
  FILE_TIMEOUT_MS,
  failed,
  jitter,
  pauseThen,
  query,
  SCRIPT_TIMEOUT_MS,
  script,
  text,
} from './ipxe.ts';

/** What iPXE would interpret (expansion, `||`/`&&`, comments), or a terminal would. */
const SPECIAL = /[$|&#"`\\]|[^ -~]/;
/**
 * Words of at most 20 characters, none led by `-` (the two echo bugs below: widen this once they
 * are fixed).
 */
const word = fc.string({
  unit: fc.constantFrom(...'ab-Z09.,:'.split('')),
  maxLength: 20,
  size: 'medium',
});
const words = fc.array(word, { maxLength: 40, size: 'medium' }).map((w) => w.join(' '));

describe('text', () => {
  it.each([
    ['disk dead', 'disk dead'],
    ['  spaced\t\tout \n text  ', 'spaced out text'],
    ['x || reboot && shell', 'x ?? reboot ?? shell'],
    ['${net0/mac} #comment', '?{net0/mac} ?comment'],
    ['"quoted" `tick` back\\slash', '?quoted? ?tick? back?slash'],
    ['café\u0000\u001b[2J', 'caf???[2J'],
    ['a\nchain http://evil/', 'a chain http://evil/'],
    ['ratio 3/4 (50%) <ok> [a] {b} +=@*~^;:!?', 'ratio 3/4 (50%) <ok> [a] {b} +=@*~^;:!?'],
  ])('%j → %j', (input, shown) => {
    expect(text(input)).toBe(shown);
  });

  it('cuts long text to 300 characters, ending with "..."', () => {
    expect(text('a'.repeat(300))).toBe('a'.repeat(300));
    const cut = text('b'.repeat(301));
    expect(cut).toHaveLength(300);
    expect(cut).toBe(`${'b'.repeat(297)}...`);
  });

  it('never lets through $ | & # " ` \\, control characters or newlines (20,000 inputs)', () => {
    const input = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 400, size: 'large' }),
      fc.string({ unit: fc.constantFrom(...'$|&#"`\\\n\r\t\u0000 ${}ab'.split('')) }),
    );
    fc.assert(
      fc.property(input, (s) => {
        const t = text(s);
        return !SPECIAL.test(t) && t.length <= 300 && t === t.trim() && !t.includes('  ');
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('exact', () => {
  it.each(['aa:bb:cc:dd:ee:ff', 'rfs0', 'pas-r01p01', 'a.b_c/d@e=f+g'])('keeps %j', (v) => {
    expect(exact(v)).toBe(v);
  });

  it.each(['', 'a b', '${x}', 'a||b', 'a;b', 'a&b', '#x', 'a"b', 'é', 'a\nb'])(
    'refuses %j',
    (v) => {
      expect(exact(v)).toBeNull();
    },
  );
});

describe('query and script', () => {
  it('percent-encodes values, numbers as text', () => {
    expect(query({ mac: 'aa:bb', via: 'lldp', rfs: 3, h: 'a b&c' })).toBe(
      'mac=aa%3Abb&via=lldp&rfs=3&h=a%20b%26c',
    );
    expect(query({})).toBe('');
  });

  it('starts with the #!ipxe signature and ends with a newline', () => {
    expect(script(['echo a', 'exit'])).toBe('#!ipxe\necho a\nexit\n');
    expect(script([])).toBe('#!ipxe\n\n');
  });
});

/**
 * What an echo line prints (`echo -- text` once the option bug is fixed). Printed text is at most
 * 76 columns (the script line itself, with `echo `, may reach 81 characters: harmless).
 */
const shown = (line: string) => line.replace(/^echo( --)? ?/, '');

describe('echo', () => {
  it('prints a blank line for empty or unprintable-only text', () => {
    expect(echo('')).toEqual(['echo']);
    expect(echo('   ')).toEqual(['echo']);
    expect(echo('a', '', 'b')).toEqual(['echo a', 'echo', 'echo b']);
  });

  it('wraps long messages at word boundaries, printing under 80 columns', () => {
    const message = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    const lines = echo(message);
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) expect(shown(l).length).toBeLessThanOrEqual(76);
    expect(lines.map(shown).join(' ')).toBe(message);
  });

  it('shows untrusted text inert', () => {
    expect(echo('reason: x || reboot ${y}')).toEqual(['echo reason: x ?? reboot ?{y}']);
  });

  it('keeps every word, each line starting with echo, printing under 80 columns (10,000 inputs)', () => {
    fc.assert(
      fc.property(fc.array(words, { minLength: 1, maxLength: 3 }), (messages) => {
        const lines = echo(...messages);
        if (!lines.every((l) => /^echo( |$)/.test(l) && shown(l).length <= 76)) return false;
        const expected = messages.map(text).filter((m) => m !== '');
        return (
          lines
            .filter((l) => l !== 'echo')
            .map(shown)
            .join(' ') === expected.join(' ')
        );
      }),
      { numRuns: 10_000 },
    );
  });

  // Known bug (reported): wrap() never splits a word, so a long word makes a line ≥ 80 columns.
  it('cuts a word longer than a line', () => {
    for (const l of echo(`faulty: ${'x'.repeat(100)}`)) expect(shown(l).length).toBeLessThan(80);
  });

  // Known bug (reported): iPXE's getopt reads a leading "-x" as an option; `echo -x` fails and
  // the script stops there (the machine falls to its next boot device instead of retrying).
  it('never starts an echo line with an option', () => {
    for (const l of echo('-x broken PSU')) expect(l).not.toMatch(/^echo -(?!- )/);
  });
});

describe('chainTo, pauseThen and failed', () => {
  it('bounds every chain and falls back to lanctl_failed', () => {
    expect(chainTo('http://netboot/bootstrap')).toBe(
      `chain --replace --autofree --timeout ${SCRIPT_TIMEOUT_MS} http://netboot/bootstrap || goto lanctl_failed`,
    );
    expect(SCRIPT_TIMEOUT_MS).toBeGreaterThan(0);
    expect(FILE_TIMEOUT_MS).toBeGreaterThan(SCRIPT_TIMEOUT_MS);
  });

  it('waits with a Ctrl-B shell prompt, then chains, retrying on failure', () => {
    expect(pauseThen(60, 'http://netboot/boot/m/')).toEqual([
      'prompt --key 0x02 --timeout 60000 Press Ctrl-B for an iPXE shell, or wait 60 s... && shell ||',
      chainTo('http://netboot/boot/m/'),
      'exit',
      ':lanctl_failed',
      'echo Could not reach the netboot service; trying again in 10 s.',
      'sleep 10',
      chainTo('http://netboot/boot/m/'),
    ]);
    expect(failed('u')[0]).toBe(':lanctl_failed');
  });
});

describe('jitter', () => {
  it('is the same for a MAC and differs between MACs', () => {
    const a = jitter('52:54:00:12:34:56', 5);
    expect(jitter('52:54:00:12:34:56', 5)).toBe(a);
    const spread = new Set(
      Array.from({ length: 50 }, (_, i) => jitter(`52:54:00:12:34:${i.toString(16)}`, 5)),
    );
    expect(spread.size).toBe(5);
  });

  it('stays in [base, 2 * base) (10,000 inputs)', () => {
    const mac = fc
      .array(fc.integer({ min: 0, max: 255 }), { minLength: 6, maxLength: 6 })
      .map((b) => b.map((x) => x.toString(16).padStart(2, '0')).join(':'));
    fc.assert(
      fc.property(mac, fc.integer({ min: 1, max: 600 }), (m, base) => {
        const j = jitter(m, base);
        return Number.isInteger(j) && j >= base && j < 2 * base && j === jitter(m, base);
      }),
      { numRuns: 10_000 },
    );
  });
});
