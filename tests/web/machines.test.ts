/**
 * The machines table's row actions in headless Chromium against a real `lanctl start`: inline
 * edit (an API error under its field, then saved), faulty with a reason and cleared, delete after
 * a confirmation, and the machine page.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCall, launchChromium, logInPage } from './browser.ts';
import { type RunningGateway, startGateway } from './gateway.ts';

describe('machines: edit, faulty, delete, machine page', () => {
  let gateway: RunningGateway;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    gateway = await startGateway();
    for (const [hostname, mac] of [
      ['pas-r01p01', '52:54:00:00:01:01'],
      ['pas-r01p02', '52:54:00:00:01:02'],
    ]) {
      const created = await adminCall(gateway, 'POST', '/machines', {
        hostname,
        mac,
        mtype: 'user',
        room: 'pasteur',
      });
      expect(created.status).toBe(201);
    }
    browser = await launchChromium();
    page = await logInPage(browser, gateway, 'admin', gateway.adminPassword);
    await page.getByRole('region', { name: 'Machines table' }).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  const table = () => page.getByRole('region', { name: 'Machines table' });
  const row = (hostname: string) =>
    table()
      .locator('tbody tr')
      .filter({ has: page.getByRole('link', { name: hostname }) });
  const record = async (hostname: string) =>
    (await adminCall(gateway, 'GET', `/machines/${hostname}`)).json();

  it("follows another root's changes live: a machine added, renamed and deleted elsewhere", async () => {
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    const added = await adminCall(gateway, 'POST', '/machines', {
      hostname: 'pas-r01p09',
      mac: '52:54:00:00:01:09',
      mtype: 'user',
      room: 'pasteur',
    });
    expect(added.status).toBe(201);
    await row('pas-r01p09').waitFor();
    const renamed = await adminCall(gateway, 'PATCH', '/machines/pas-r01p09', {
      hostname: 'pas-r01p10',
    });
    expect(renamed.status).toBe(200);
    await row('pas-r01p10').waitFor();
    expect(await row('pas-r01p09').count()).toBe(0);
    expect((await adminCall(gateway, 'DELETE', '/machines/pas-r01p10')).status).toBe(200);
    await row('pas-r01p10').waitFor({ state: 'detached' });
    await page.getByText('2 of 2 machines').waitFor();
  });

  it('says when the stream is refused, still lists the machines, and goes live once it is back', async () => {
    // The stream is refused (a restarting mdb) when the page opens: the rows are read once from
    // the API and the page says its updates are lost.
    await page.route('**/api/v1/sync/machines*', (route) =>
      route.fulfill({ status: 502, json: { error: { code: 'bad_gateway', message: 'down' } } }),
    );
    await page.reload();
    await page.getByRole('status').filter({ hasText: 'reconnecting' }).waitFor();
    await row('pas-r01p01').waitFor();
    const added = await adminCall(gateway, 'POST', '/machines', {
      hostname: 'pas-r01p11',
      mac: '52:54:00:00:01:11',
      mtype: 'user',
      room: 'pasteur',
    });
    expect(added.status).toBe(201);
    await page.unroute('**/api/v1/sync/machines*');
    // A later try (after 1 s, doubling up to 30 s) opens the stream: its snapshot brings the new
    // machine.
    await row('pas-r01p11').waitFor({ timeout: 40_000 });
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
    expect((await adminCall(gateway, 'DELETE', '/machines/pas-r01p11')).status).toBe(200);
    await row('pas-r01p11').waitFor({ state: 'detached' });
  });

  it('edits a row inline: a bad alias is shown under Aliases, the fix is saved', async () => {
    await page.getByRole('button', { name: 'Edit pas-r01p01' }).click();
    const form = page.getByRole('form', { name: 'Edit pas-r01p01' });
    // The editor opens in place of the row, with the keyboard in its first field.
    await page.waitForFunction(
      () => (document.activeElement as HTMLInputElement)?.name === 'hostname',
    );
    await form.getByLabel('Room').fill('alt');
    await form.getByLabel('Aliases').fill('printer bad_alias');
    await form.getByRole('button', { name: 'Save changes' }).click();
    const aliases = form.getByLabel('Aliases');
    await form.locator('[data-field="aliases"]').waitFor();
    expect(await aliases.getAttribute('aria-invalid')).toBe('true');
    // Nothing typed is lost, and nothing was saved.
    expect(await form.getByLabel('Room').inputValue()).toBe('alt');
    expect((await record('pas-r01p01')).room).toBe('pasteur');

    await aliases.fill('printer, scanner');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').getByText('Saved pas-r01p01.').waitFor();
    await form.waitFor({ state: 'detached' });
    expect(await row('pas-r01p01').locator('td').nth(3).textContent()).toBe('alt');
    const saved = await record('pas-r01p01');
    expect(saved.room).toBe('alt');
    expect(saved.aliases).toEqual(['printer', 'scanner']);
    // The focus is back on the row's Edit button.
    await page.waitForFunction(
      () => document.activeElement?.getAttribute('aria-label') === 'Edit pas-r01p01',
    );
    // Escape closes an editor without saving.
    await page.getByRole('button', { name: 'Edit pas-r01p01' }).click();
    await form.getByLabel('Room').fill('cluster');
    await page.keyboard.press('Escape');
    await form.waitFor({ state: 'detached' });
    expect((await record('pas-r01p01')).room).toBe('alt');
  });

  it('marks a machine faulty with a reason, shows it in the table, and clears it', async () => {
    await page.getByRole('button', { name: 'Faulty… pas-r01p02' }).click();
    const form = page.getByRole('form', { name: 'Mark pas-r01p02 faulty' });
    await form.getByLabel('Reason').fill('no screen');
    await form.getByRole('button', { name: 'Mark faulty' }).click();
    await page.getByRole('status').getByText('Marked pas-r01p02 faulty.').waitFor();
    await row('pas-r01p02').getByText('faulty: no screen').waitFor();
    const faulty = await record('pas-r01p02');
    expect([faulty.is_faulty, faulty.is_faulty_details]).toEqual([true, 'no screen']);
    // The state filter finds it.
    await page.getByLabel('State').selectOption('faulty');
    await page.getByText('1 of 2 machines').waitFor();
    await page.getByLabel('State').selectOption('');

    await page.getByRole('button', { name: 'Clear fault pas-r01p02' }).click();
    await page.getByRole('status').getByText('Cleared the fault of pas-r01p02.').waitFor();
    expect((await record('pas-r01p02')).is_faulty).toBe(false);
    await row('pas-r01p02').getByText('ok', { exact: true }).waitFor();
  });

  it('deletes a machine only after a confirmation', async () => {
    await page.getByRole('button', { name: 'Delete pas-r01p02' }).click();
    const confirm = page.getByRole('form', { name: 'Delete pas-r01p02?' });
    // Cancel first: the safe answer has the focus, and cancelling keeps the machine.
    await page.waitForFunction(() => document.activeElement?.textContent === 'Cancel');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect((await adminCall(gateway, 'GET', '/machines/pas-r01p02')).status).toBe(200);

    await page.getByRole('button', { name: 'Delete pas-r01p02' }).click();
    await confirm.getByRole('button', { name: 'Delete pas-r01p02' }).click();
    await page.getByRole('status').getByText('Deleted pas-r01p02.').waitFor();
    await page.getByText('1 of 1 machines').waitFor();
    expect((await adminCall(gateway, 'GET', '/machines/pas-r01p02')).status).toBe(404);
  });

  it('opens the machine page: record, last boot, who is logged in', async () => {
    await table().getByRole('link', { name: 'pas-r01p01' }).click();
    await page.getByRole('heading', { name: 'pas-r01p01', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/machines/pas-r01p01');
    const dl = page.getByLabel('Machine record');
    await dl.getByText('printer, scanner').waitFor();
    await dl.getByText('alt', { exact: true }).waitFor();
    await page.getByText('Nobody is logged in.').waitFor();
    // No boot yet: netboot's verdict says so.
    const verdict = page.locator('.verdict');
    await verdict.waitFor();
    expect((await verdict.textContent())?.length).toBeGreaterThan(0);
    await page.getByRole('link', { name: '← All machines' }).click();
    await table().waitFor();
  });
});
