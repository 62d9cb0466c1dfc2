/**
 * The password sheets as really printed: an organizer imports 50 users through the wizard, opens
 * their sheets, and Chromium prints them to an A4 PDF (its print path, print CSS applied), read
 * back by poppler's `pdftotext -layout` and `pdfinfo`: every card whole on one page, the cards
 * alone, and a password read off the paper logs in.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TempDir, tempDir } from '@lanctl/testkit';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCall, launchChromium } from './browser.ts';
import { type RunningGateway, startGateway } from './gateway.ts';
import {
  canLogIn,
  createdPasswords,
  openUsers,
  PEOPLE_CSV_LINES,
  uploadCsv,
} from './users-flow.ts';

const TITLE = 'Finale 2026 · salle Pasteur';

/** A PDF's pages as `pdftotext -layout` reads them, and its page count as `pdfinfo` gives it. */
function readPdf(file: string): { pages: string[]; count: number } {
  const run = (tool: string, args: string[]) =>
    execFileSync(tool, args, { encoding: 'utf8', timeout: 30_000 });
  const text = run('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-']);
  const count = Number(/^Pages:\s+(\d+)$/m.exec(run('pdfinfo', [file]))?.[1]);
  // Pages end with a form feed; the last one too.
  return { pages: text.split('\f').slice(0, count), count };
}

/** The words of a page: the two columns of cards share lines, wide gaps between them. */
const wordsOf = (page: string) => new Set(page.split(/\s+/).filter(Boolean));

describe('web UI: printed password sheets', () => {
  let gateway: RunningGateway;
  let browser: Browser;
  let dir: TempDir;

  beforeAll(async () => {
    gateway = await startGateway();
    browser = await launchChromium();
    dir = await tempDir('lanctl-print-');
    const created = await adminCall(gateway, 'POST', '/users', {
      login: 'orlane',
      firstname: 'Orlane',
      lastname: 'Orga',
      group: 'orga',
      password: 'orga-password-1',
    });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await dir?.cleanup();
  });

  it('prints 50 imported users as whole cards, ten an A4 page, and nothing else', async () => {
    const page = await openUsers(browser, gateway, 'orlane', 'orga-password-1');
    try {
      const wizard = await uploadCsv(page, 'finalists.csv', PEOPLE_CSV_LINES.join('\n'));
      await wizard.getByRole('button', { name: 'Preview (nothing is written)' }).click();
      await wizard.getByRole('button', { name: 'Import 50 users' }).click();
      await wizard.getByText('Imported: 50 created.').waitFor();
      const passwords = await createdPasswords(wizard);
      expect(passwords.size).toBe(50);
      const names = new Map(
        (await (await adminCall(gateway, 'GET', '/users?group=user&limit=100')).json()).items.map(
          (u: { login: string; firstname: string; lastname: string }) => [
            u.login,
            `${u.firstname} ${u.lastname}`,
          ],
        ),
      );

      await wizard.getByRole('button', { name: 'Print sheets' }).click();
      await page.getByRole('heading', { name: 'Password sheets' }).waitFor();
      await page.getByLabel('Title on the cards').fill(TITLE);
      // What the screen shows around the cards, none of which may reach the paper.
      const chrome = await page
        .locator('.topbar a, .topbar button, .sheets-toolbar h1, .sheets-toolbar button')
        .allInnerTexts();
      expect(chrome).toEqual(expect.arrayContaining(['Users', 'Print', 'Close sheets']));
      const file = join(dir.path, 'sheets.pdf');
      writeFileSync(file, await page.pdf({ format: 'A4', printBackground: true }));

      const { pages, count } = readPdf(file);
      expect(count).toBe(5);
      expect(pages).toHaveLength(5);
      const all = pages.join('\n');
      for (const text of [...chrome, 'Title on the cards', 'not stored']) {
        expect(all, `"${text}" is printed`).not.toContain(text);
      }
      const heading = TITLE.toUpperCase();
      for (const [login, password] of passwords) {
        // Each card once, its login, name and password on the same page.
        const on = pages.flatMap((p, i) => (wordsOf(p).has(login) ? [i] : []));
        expect(on, `the card of ${login}`).toHaveLength(1);
        const sheet = pages[on[0]!]!;
        expect(wordsOf(sheet).has(password), `${login}'s password by its login`).toBe(true);
        expect(sheet, `${login}'s name by its login`).toContain(names.get(login));
      }
      for (const sheet of pages) {
        const cards = [...passwords.keys()].filter((login) => wordsOf(sheet).has(login)).length;
        expect(cards).toBe(10);
        expect(sheet.split(heading).length - 1, 'a title per card').toBe(cards);
      }
      // A password as read off the paper logs in.
      const line = pages[2]!.split('\n').find((l) => /^\s*Password\s/.test(l))!;
      const [, read] = /^\s*Password\s+(\S+)/.exec(line)!;
      const login = [...passwords].find(([, p]) => p === read)![0];
      expect(await canLogIn(gateway, login, read!)).toBe(true);
    } finally {
      await page.context().close();
    }
  });
});
