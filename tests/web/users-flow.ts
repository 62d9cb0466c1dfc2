/**
 * Steps the Users views' browser tests share: 50 people to import (udb derives their logins),
 * the Users view opened through the navigation, the import wizard fed a file, the passwords it
 * shows once, and whether a password logs in.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { logInPage } from './browser.ts';
import type { RunningGateway } from './gateway.ts';

const FIRST = [
  'Hélène',
  'Jean-Pierre',
  'Zoé',
  'Marc',
  'Inès',
  'Paul',
  'Léa',
  'Hugo',
  'Emma',
  'Noé',
];
const LAST = ['Martin', 'De La Tour', 'Bernard', "N'Diaye", 'Lefèvre'];

/** The header and 50 people without logins (jpdelatour, hmartin and hmartin1, ...), as CSV lines. */
export const PEOPLE_CSV_LINES: readonly string[] = [
  'firstname,lastname,login',
  ...FIRST.flatMap((f) => LAST.map((l) => `${f},"${l}",`)),
];

/** A fresh browser context logged in as `login`, on the Users view. */
export async function openUsers(
  browser: Browser,
  gateway: RunningGateway,
  login: string,
  password: string,
): Promise<Page> {
  const page = await logInPage(browser, gateway, login, password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await page.getByRole('heading', { name: 'Users', exact: true }).waitFor();
  await page.getByText(/^\d+ of \d+ users$/).waitFor();
  return page;
}

/** Opens the import wizard and gives it `csv` as a file named `name`; answers the wizard. */
export async function uploadCsv(page: Page, name: string, csv: string): Promise<Locator> {
  await page.getByRole('button', { name: 'Import users' }).click();
  const wizard = page.getByRole('region', { name: /Import users/ });
  await wizard.getByLabel('File (CSV, TSV or JSON)').setInputFiles({
    name,
    mimeType: 'text/csv',
    buffer: Buffer.from(csv),
  });
  await wizard.getByText(`Read ${name}`).waitFor();
  return wizard;
}

/** The logins and passwords of the rows the finished import created, as the wizard shows them. */
export async function createdPasswords(wizard: Locator): Promise<Map<string, string>> {
  const rows = await wizard
    .getByRole('region', { name: 'Import result' })
    .locator('tr[data-status="created"]')
    .evaluateAll((trs) =>
      // Row, Name, Login, Status, Reason, Password.
      trs.map((r) => [r.children[2]!.textContent!, r.children[5]!.textContent!] as const),
    );
  return new Map(rows);
}

/** Whether `password` logs `login` in through udb's public login. */
export async function canLogIn(
  gateway: RunningGateway,
  login: string,
  password: string,
): Promise<boolean> {
  const reply = await fetch(`${gateway.origin}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });
  return reply.status === 200;
}
