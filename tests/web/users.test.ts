/**
 * The Users views in headless Chromium against a real `lanctl start`: an organizer imports 50
 * users through the wizard (dry run, then for real), prints their sheets, resets one password,
 * meets udb's refusals; a root edits a user and prints sheets for a selection.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCall, launchChromium } from './browser.ts';
import { type RunningGateway, startGateway } from './gateway.ts';
import {
  canLogIn as canLogInTo,
  createdPasswords,
  openUsers as openUsersOf,
  PEOPLE_CSV_LINES,
  uploadCsv,
} from './users-flow.ts';

/** 50 people without logins (udb derives them), then a row udb refuses. */
const CSV = [...PEOPLE_CSV_LINES, 'Bad,Row,Not A Login'].join('\n');

describe('web UI: users', () => {
  let gateway: RunningGateway;
  let browser: Browser;

  const asAdmin = (method: string, path: string, body?: unknown) =>
    adminCall(gateway, method, path, body);
  const canLogIn = (login: string, password: string) => canLogInTo(gateway, login, password);
  const openUsers = (login: string, password: string): Promise<Page> =>
    openUsersOf(browser, gateway, login, password);

  beforeAll(async () => {
    gateway = await startGateway();
    browser = await launchChromium();
    const created = await asAdmin('POST', '/users', {
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
  });

  it('an organizer imports 50 users, prints their sheets and resets one password', async () => {
    const page = await openUsers('orlane', 'orga-password-1');
    try {
      const wizard = await uploadCsv(page, 'contestants.csv', CSV);
      expect(await wizard.getByLabel('Format').inputValue()).toBe('csv');
      await wizard.getByRole('button', { name: 'Preview (nothing is written)' }).click();

      // The dry run: derived logins, the bad row with its reason, nothing written.
      await wizard
        .getByText('Dry run, nothing written yet: 50 to create, 1 with errors.')
        .waitFor();
      const preview = wizard.getByRole('region', { name: 'What the import would do' });
      await preview.getByRole('cell', { name: 'jpdelatour', exact: true }).waitFor();
      // Each derived login next to the names it came from, as udb would store them.
      const jp = preview.getByRole('row').filter({ hasText: 'jpdelatour' });
      expect(await jp.getByRole('cell').nth(1).textContent()).toBe('Jean-Pierre De La Tour');
      await preview.getByRole('cell', { name: 'hmartin1', exact: true }).waitFor();
      expect(await preview.locator('tr[data-status="error"]').textContent()).toMatch(/login/);
      expect((await (await asAdmin('GET', '/users?q=jpdelatour')).json()).items).toEqual([]);

      await wizard.getByRole('button', { name: 'Import 50 users' }).click();
      await wizard.getByText('Imported: 50 created, 1 with errors.').waitFor();
      await wizard.getByText(/50 new passwords are shown below this once and not stored/).waitFor();
      const passwords = await createdPasswords(wizard);
      expect(passwords.size).toBe(50);
      // The list behind the wizard has them already.
      await page.getByText('52 of 52 users').waitFor();

      // The sheets: one card per new user, and on paper the cards alone.
      await wizard.getByRole('button', { name: 'Print sheets' }).click();
      await page.getByRole('heading', { name: 'Password sheets' }).waitFor();
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('.topbar').isVisible()).toBe(false);
      expect(await page.getByRole('button', { name: 'Print' }).isVisible()).toBe(false);
      const cards = await page.locator('.sheet-card').evaluateAll((els) =>
        els.map((el) => ({
          visible: (el as HTMLElement).offsetHeight > 0,
          login: el.querySelector('.sheet-login')!.textContent!,
          password: el.querySelector('.sheet-password')!.textContent!,
          // biome-ignore lint/performance/useDomNodeTextContent: the text as printed, CSS applied
          text: (el as HTMLElement).innerText,
        })),
      );
      expect(cards).toHaveLength(50);
      for (const card of cards) {
        expect(card.visible).toBe(true);
        expect(card.password).toBe(passwords.get(card.login));
        expect(card.text).toContain('LANCTL ACCOUNTS');
      }
      expect(cards.find((c) => c.login === 'jpdelatour')!.text).toContain('Jean-Pierre De La Tour');
      expect(await page.locator('.sheet-page').count()).toBe(5);
      // A card's password logs in.
      expect(await canLogIn('hmartin', passwords.get('hmartin')!)).toBe(true);
      await page.emulateMedia({ media: 'screen' });
      page.once('dialog', (d) => void d.accept());
      await page.getByRole('button', { name: 'Close sheets' }).click();
      await page.getByRole('heading', { name: 'Users', exact: true }).waitFor();

      // Reset one password: asked first, then shown once with the notice.
      await page.getByLabel('Search').fill('zoé bern');
      await page.getByText('1 of 52 users').waitFor();
      await page.getByRole('button', { name: 'Reset the password of zbernard' }).click();
      const dialog = page.getByRole('dialog', { name: 'Reset the password of zbernard' });
      await dialog.getByRole('button', { name: 'Reset password' }).click();
      const shown = dialog.locator('output[data-login="zbernard"]');
      await shown.waitFor();
      const fresh = (await shown.textContent())!;
      expect(fresh).toMatch(/^[A-Za-z0-9]{8}$/);
      expect(await dialog.textContent()).toContain('not stored');
      expect(await canLogIn('zbernard', fresh)).toBe(true);
      expect(await canLogIn('zbernard', passwords.get('zbernard')!)).toBe(false);
      await dialog.getByRole('button', { name: 'Done' }).click();
      await dialog.waitFor({ state: 'detached' });
      expect(await page.content()).not.toContain(fresh);
    } finally {
      await page.context().close();
    }
  });

  it('an organizer sees errors under the fields and udb refusals about roots', async () => {
    const page = await openUsers('orlane', 'orga-password-1');
    try {
      await page.getByRole('button', { name: 'Add user' }).click();
      const form = page.getByRole('form', { name: 'Add user' });
      await page.keyboard.type('Not A Login');
      await form.getByLabel('First name').fill('Rémi');
      await form.getByLabel('Last name').fill('Root');
      await form.getByRole('button', { name: 'Save user' }).click();
      await form.locator('[data-field="login"]').waitFor();
      expect(await form.getByLabel('Login').getAttribute('aria-invalid')).toBe('true');
      expect(await form.getByLabel('First name').inputValue()).toBe('Rémi');

      // A valid login for a root account: udb's 403, above the form, nothing lost.
      await form.getByLabel('Login').fill('rroot');
      await form.getByLabel('Group').selectOption('root');
      await form.getByRole('button', { name: 'Save user' }).click();
      await form.getByRole('alert').getByText('role orga may not create a root account').waitFor();
      expect(await form.getByLabel('Login').inputValue()).toBe('rroot');

      // As a contestant, the account is made, with its generated password shown once.
      await form.getByLabel('Group').selectOption('user');
      await form.getByRole('button', { name: 'Save user' }).click();
      const created = page.getByRole('dialog', { name: 'rroot created' });
      const password = (await created.locator('output[data-login="rroot"]').textContent())!;
      expect(await canLogIn('rroot', password)).toBe(true);
      await created.getByRole('button', { name: 'Done' }).click();

      // Deleting the root account: confirmation, then udb's refusal in the dialog.
      await page.getByLabel('Search').fill('admin');
      await page.getByRole('button', { name: 'Delete admin' }).click();
      const dialog = page.getByRole('dialog', { name: 'Delete admin?' });
      await dialog.getByRole('button', { name: 'Delete admin' }).click();
      await dialog
        .getByRole('alert')
        .getByText('role orga may not delete a root account')
        .waitFor();
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect((await asAdmin('GET', '/users/admin')).status).toBe(200);
      // Keyboard: Escape closes the form and gives the focus back to the button that opened it.
      await page.getByRole('button', { name: 'Add user' }).click();
      await form.getByLabel('Login').waitFor();
      await page.keyboard.press('Escape');
      await form.waitFor({ state: 'detached' });
      await page.waitForFunction(() => document.activeElement?.textContent === 'Add user');
    } finally {
      await page.context().close();
    }
  });

  it('a root edits a user, deletes one and prints sheets for a selection', async () => {
    const page = await openUsers('admin', gateway.adminPassword);
    try {
      await page.getByLabel('Group').selectOption('user');
      await page.getByLabel('Search').fill('emma');
      await page.getByText(/^5 of \d+ users$/).waitFor();
      await page.getByRole('button', { name: 'Edit emartin' }).click();
      const form = page.getByRole('form', { name: 'Edit emartin' });
      await form.getByLabel('UID').fill('99');
      await form.getByRole('button', { name: 'Save changes' }).click();
      await form.locator('[data-field="uid"]').waitFor();
      await form.getByLabel('UID').fill('10999');
      await form.getByLabel('First name').fill('Emmanuelle');
      await form.getByRole('button', { name: 'Save changes' }).click();
      await page.getByRole('status').getByText('Saved emartin (uid 10999).').waitFor();
      await page.getByRole('cell', { name: 'Emmanuelle' }).waitFor();

      await page.getByRole('button', { name: 'Delete ebernard' }).click();
      await page
        .getByRole('dialog', { name: 'Delete ebernard?' })
        .getByRole('button', { name: 'Delete ebernard' })
        .click();
      await page.getByRole('status').getByText('Deleted ebernard.').waitFor();
      expect((await asAdmin('GET', '/users/ebernard')).status).toBe(404);

      await page.getByLabel('Select elefevre').check();
      await page.getByLabel('Select endiaye').check();
      await page.getByRole('button', { name: 'Print sheets for 2 selected…' }).click();
      await page
        .getByRole('dialog', { name: 'Print sheets for 2 users' })
        .getByRole('button', { name: 'Reset 2 passwords and print' })
        .click();
      await page.getByRole('heading', { name: 'Password sheets' }).waitFor();
      const cards = page.locator('.sheet-card');
      expect(await cards.count()).toBe(2);
      const login = (await cards.nth(1).locator('.sheet-login').textContent())!;
      const password = (await cards.nth(1).locator('.sheet-password').textContent())!;
      expect(login).toBe('endiaye');
      expect(await canLogIn(login, password)).toBe(true);
    } finally {
      await page.context().close();
    }
  });
});
