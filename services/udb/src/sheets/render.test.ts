import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SheetEntry } from '@lanctl/model';
import { describe, expect, it } from 'vitest';
import { CARDS_PER_PAGE, escapeHtml, renderSheetHtml, renderSheetTsv } from './render.ts';

const entry = (i: number, extra: Partial<SheetEntry> = {}): SheetEntry => ({
  login: `user${i}`,
  firstname: `First${i}`,
  lastname: `Last${i}`,
  password: `Pw${i}x`,
  ...extra,
});

const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;
/** The page's text with the password markup taken out. */
const text = (html: string) => html.replace(/<\/?span[^>]*>/g, '');

const hostile: SheetEntry = {
  login: 'jdupont',
  firstname: '<script>alert("x")</script>',
  lastname: `O'Brien & "Sons" Ünïcødé 李`,
  password: `a<b>&"'c0O1l`,
};

describe('renderSheetHtml', () => {
  it('is a complete UTF-8 page with print CSS and no external resources', () => {
    const html = renderSheetHtml([entry(1)], { title: 'Finale 2025' });
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<title>Finale 2025</title>');
    expect(html).toMatch(/@media print/);
    expect(html).toMatch(/@page \{ size: A4/);
    expect(html).toMatch(/\.card \{[^}]*break-inside: avoid/);
    expect(html).toMatch(/\.card \{[^}]*border: [^;]*dashed/);
    expect(html).toMatch(/\.secret \{[^}]*monospace/);
    expect(html).not.toMatch(/<script|<link|<img|src=|href=|url\(|@import/i);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('has one card per entry, each name, login and password once, in order', () => {
    const entries = Array.from({ length: 23 }, (_, i) => entry(i + 100));
    const html = renderSheetHtml(entries, { title: 'T' });
    const plain = text(html);
    expect(count(html, '<div class="card">')).toBe(23);
    let last = -1;
    for (const e of entries) {
      expect(count(plain, `${e.firstname} ${e.lastname}`)).toBe(1);
      expect(count(plain, `>${e.login}<`)).toBe(1);
      expect(count(plain, `>${e.password}<`)).toBe(1);
      const at = plain.indexOf(`>${e.login}<`);
      expect(at).toBeGreaterThan(last);
      last = at;
    }
  });

  it(`puts ${CARDS_PER_PAGE} cards on a page`, () => {
    const html = renderSheetHtml(
      Array.from({ length: 23 }, (_, i) => entry(i)),
      { title: 'T' },
    );
    const pages = html.split('<section class="page">').slice(1);
    expect(pages.map((p) => count(p, '<div class="card">'))).toEqual([10, 10, 3]);
  });

  it('escapes names, logins, passwords, the title and the site', () => {
    const html = renderSheetHtml([hostile], {
      title: '</title><script>x()</script>',
      site: 'https://udb/?a=1&b="2"',
    });
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('O&#39;Brien &amp; &quot;Sons&quot; Ünïcødé 李');
    expect(html).toContain('<title>&lt;/title&gt;&lt;script&gt;x()&lt;/script&gt;</title>');
    expect(html).toContain('https://udb/?a=1&amp;b=&quot;2&quot;');
    expect(text(html)).toContain('>a&lt;b&gt;&amp;&quot;&#39;c0O1l<');
  });

  it('marks digits and symbols in passwords', () => {
    const html = renderSheetHtml([entry(1, { password: 'O0l1 x' })], { title: 'T' });
    expect(html).toContain(
      'O<span class="d">0</span>l<span class="d">1</span><span class="s"> </span>x',
    );
  });

  it('shows the site only when given', () => {
    expect(renderSheetHtml([entry(1)], { title: 'T' })).not.toContain('class="site"');
    expect(renderSheetHtml([entry(1)], { title: 'T', site: 'room B' })).toContain(
      '<div class="site">room B</div>',
    );
  });

  it('says so when there is nobody', () => {
    const html = renderSheetHtml([], { title: 'T' });
    expect(html).toContain('No accounts.');
    expect(html).not.toContain('<div class="card">');
  });

  it('escapeHtml covers the five special characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
  });
});

describe('renderSheetHtml in a real browser', () => {
  const chromium = process.env.LANCTL_CHROMIUM ?? '/usr/bin/chromium';
  // `pnpm test:deps` installs Debian's chromium; a missing browser fails the test loudly.
  it(`prints to a non-empty PDF with ${chromium}`, () => {
    expect(existsSync(chromium), `${chromium} is missing: run pnpm test:deps`).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'lanctl-sheet-'));
    try {
      const page = join(dir, 'sheet.html');
      const pdf = join(dir, 'sheet.pdf');
      const entries = Array.from({ length: 12 }, (_, i) => entry(i));
      writeFileSync(page, renderSheetHtml([hostile, ...entries], { title: 'Finale' }));
      execFileSync(
        chromium,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          // No calls home: this machine's network is closed (toolchain.md).
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          `--user-data-dir=${join(dir, 'profile')}`,
          `--print-to-pdf=${pdf}`,
          `file://${page}`,
        ],
        { stdio: 'ignore', timeout: 60_000 },
      );
      expect(statSync(pdf).size).toBeGreaterThan(1000);
      expect(readFileSync(pdf).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('renderSheetTsv', () => {
  it("is SADM pwdsheetdata's format exactly", () => {
    const entries = [
      { login: 'jdupont', firstname: 'Jean', lastname: 'Dupont', password: 'aeS7oh' },
      { login: 'emuller', firstname: 'Élodie', lastname: 'Müller', password: 'x y:z' },
    ];
    expect(renderSheetTsv(entries)).toBe(
      'Jean Dupont\tjdupont\taeS7oh\nÉlodie Müller\temuller\tx y:z\n',
    );
  });

  it('replaces tabs and line breaks in names with spaces', () => {
    const entries = [{ login: 'ab', firstname: 'A\tB', lastname: 'C\r\nD', password: 'p' }];
    expect(renderSheetTsv(entries)).toBe('A B C  D\tab\tp\n');
  });

  it('is empty for nobody', () => {
    expect(renderSheetTsv([])).toBe('');
  });
});
