/**
 * The catalog and settings views in headless Chromium against a real `lanctl start`: a room with
 * a bad hostname pattern (the error under its field, then fixed), a pool edited inline and a room
 * deleted after a confirmation, self-registration turned on
 * for an hour with its time left counting down, contest mode on and off.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCall, launchChromium, logInPage } from './browser.ts';
import { type RunningGateway, startGateway } from './gateway.ts';

describe('catalog: rooms and settings', () => {
  let gateway: RunningGateway;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    gateway = await startGateway();
    browser = await launchChromium();
    page = await logInPage(browser, gateway, 'admin', gateway.adminPassword);
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  const link = (navigation: string, label: string) =>
    page
      .getByRole('navigation', { name: navigation })
      .getByRole('link', { name: label, exact: true });
  /** Settings is in the main navigation; the tables are tabs of its Catalog entry. */
  const nav = async (label: string) => {
    if (label === 'Settings') return link('Main', label).click();
    await link('Main', 'Catalog').click();
    await link('Catalog', label).click();
    expect(await link('Catalog', label).getAttribute('aria-current')).toBe('page');
  };
  const setting = async (key: string) =>
    (await adminCall(gateway, 'GET', `/settings/${key}`)).json();

  it('adds a room: a bad pattern is shown under its field, the fix is saved', async () => {
    await nav('Rooms');
    await page.getByRole('region', { name: 'Rooms table' }).waitFor();
    await page.getByRole('button', { name: 'Add room' }).click();
    const form = page.getByRole('form', { name: 'Add room' });
    await form.getByLabel('Name', { exact: true }).fill('lab');
    await form.getByLabel('Hostname pattern').fill('lab-r{row:02}');
    await form.getByLabel('Seats per row').fill('8');
    await form.getByRole('button', { name: 'Save room' }).click();
    const error = form.locator('[data-field="hostname_pattern"]');
    await error.waitFor();
    expect(await error.textContent()).toContain('{row} and {seat} go together');
    expect(await form.getByLabel('Hostname pattern').getAttribute('aria-invalid')).toBe('true');
    // Nothing typed is lost, nothing was created.
    expect(await form.getByLabel('Seats per row').inputValue()).toBe('8');
    expect((await adminCall(gateway, 'GET', '/rooms/lab')).status).toBe(404);

    await form.getByLabel('Hostname pattern').fill('lab-r{row:02}p{seat:02}');
    await form.getByRole('button', { name: 'Save room' }).click();
    await page.getByRole('button', { name: 'Edit lab' }).waitFor();
    const room = await (await adminCall(gateway, 'GET', '/rooms/lab')).json();
    expect(room).toMatchObject({ hostname_pattern: 'lab-r{row:02}p{seat:02}', seats_per_row: 8 });
  });

  it("edits a room's expect list: a bad line under the field, then saved in order", async () => {
    await page.getByRole('button', { name: 'Expected hostnames of lab' }).click();
    const dialog = page.getByRole('dialog', { name: 'Expected hostnames in lab' });
    const list = dialog.getByLabel('Hostnames, one a line, in registration order');
    await list.fill(`lab-r01p02\n${'x'.repeat(64)}`);
    await dialog.getByRole('button', { name: 'Save list' }).click();
    const error = dialog.locator('[data-field="hostnames"]');
    await error.waitFor();
    expect(await error.textContent()).toBe('line 2: at most 63 characters');
    await list.fill('lab-r01p02\nlab-r01p01');
    await dialog.getByRole('button', { name: 'Save list' }).click();
    await dialog.waitFor({ state: 'detached' });
    const expected = await (await adminCall(gateway, 'GET', '/rooms/lab/expected')).json();
    expect(expected.hostnames).toEqual(['lab-r01p02', 'lab-r01p01']);
  });

  it('edits a pool inline (a bad reserved entry under its field), deletes a room after confirming', async () => {
    await nav('Pools');
    const row = page
      .getByRole('region', { name: 'Pools table' })
      .locator('tbody tr', { hasText: 'cluster' });
    expect(await row.textContent()).toContain('0 / 254');
    await page.getByRole('button', { name: 'Edit cluster' }).click();
    const form = page.getByRole('form', { name: 'Edit cluster' });
    await form.getByLabel('Reserved').fill('192.168.2.1 bad');
    await form.getByRole('button', { name: 'Save changes' }).click();
    const error = form.locator('[data-field="reserved"]');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/^entry 2: /);
    await form.getByLabel('Reserved').fill('192.168.2.1 192.168.2.240-192.168.2.249');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await row.filter({ hasText: '0 / 243' }).waitFor();
    // The keyboard is back on the row's Edit button.
    await page.waitForFunction(
      () => document.activeElement?.getAttribute('data-edit') === 'cluster',
    );

    await nav('Rooms');
    await page.getByRole('button', { name: 'Delete lab' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete room lab?' });
    await dialog.getByRole('button', { name: 'Delete lab' }).click();
    await page.getByRole('button', { name: 'Edit lab' }).waitFor({ state: 'detached' });
    expect((await adminCall(gateway, 'GET', '/rooms/lab')).status).toBe(404);
  });

  it('turns self-registration on for an hour, shows the time left counting down, turns it off', async () => {
    await nav('Settings');
    const card = page.getByRole('region', { name: 'Self-registration' });
    await card.getByRole('status').getByText('Off').waitFor();
    await card.getByLabel('Turn on for').selectOption({ label: '1 hour' });
    await card.getByRole('button', { name: 'Turn on' }).click();
    const left = card.locator('.time-left');
    await left.waitFor();
    expect(await left.textContent()).toMatch(/^(59 min \d\d s|1 h 00 min 00 s) left$/);
    const first = await left.textContent();
    await page.waitForFunction(
      (before) => document.querySelector('.time-left')?.textContent !== before,
      first,
      { timeout: 5000 },
    );
    const stored = await setting('allow_self_registration');
    expect(stored.value).toBe(true);
    const until = Date.parse(stored.enabled_until) - Date.now();
    expect(until).toBeGreaterThan(3500_000);
    expect(until).toBeLessThanOrEqual(3600_000);

    await card.getByRole('button', { name: 'Turn off' }).click();
    await card.getByRole('status').getByText('Off').waitFor();
    expect((await setting('allow_self_registration')).value).toBe(false);
  });

  it('turns contest mode on after a warning and a confirmation, then off', async () => {
    const card = page.getByRole('region', { name: 'Contest mode' });
    expect(await card.textContent()).toContain('Contestants lose the internet');
    await card.getByRole('button', { name: 'Turn contest mode on…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Turn contest mode on?' });
    await dialog.getByRole('button', { name: 'Turn contest mode on' }).click();
    await card.getByText('On — contestants have no internet').waitFor();
    expect((await setting('contest_mode')).value).toBe(true);

    await card.getByRole('button', { name: 'Turn contest mode off' }).click();
    await card.getByRole('status').getByText('Off').waitFor();
    expect((await setting('contest_mode')).value).toBe(false);
  });
});
