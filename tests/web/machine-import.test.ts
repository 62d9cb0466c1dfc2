/**
 * The machines CSV import in headless Chromium against a real `lanctl start`: a root pastes 30
 * machines, three of which have problems (a taken hostname, a taken MAC, a bad MAC); the dry run
 * shows each problem on its file row and writes nothing; the rows without problems are checked
 * again, imported, and appear in the table and the API. An organizer never gets the button.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCall, launchChromium, logInPage } from './browser.ts';
import { type RunningGateway, startGateway } from './gateway.ts';

const hex = (n: number) => n.toString(16).padStart(2, '0');
/** 30 data rows; row 5 takes old-01's hostname, row 12 old-02's MAC, row 20 has a bad MAC. */
const CSV = [
  'hostname,mac,room,mtype',
  ...Array.from({ length: 30 }, (_, i) => {
    const row = i + 1;
    const hostname = row === 5 ? 'old-01' : `imp-${String(row).padStart(2, '0')}`;
    const mac =
      row === 12 ? '52:54:00:aa:00:02' : row === 20 ? 'not-a-mac' : `52:54:00:bb:00:${hex(row)}`;
    return `${hostname},${mac},pasteur,user`;
  }),
].join('\n');

describe('machines: CSV import with a preview of conflicts', () => {
  let gateway: RunningGateway;
  let browser: Browser;

  const machineCount = async () => {
    const page = await (await adminCall(gateway, 'GET', '/machines?limit=5000')).json();
    return (page.items as { hostname: string }[]).map((m) => m.hostname);
  };

  beforeAll(async () => {
    gateway = await startGateway();
    for (const [hostname, mac] of [
      ['old-01', '52:54:00:aa:00:01'],
      ['old-02', '52:54:00:aa:00:02'],
    ]) {
      const created = await adminCall(gateway, 'POST', '/machines', {
        hostname,
        mac,
        mtype: 'user',
        room: 'pasteur',
      });
      expect(created.status).toBe(201);
    }
    const orga = await adminCall(gateway, 'POST', '/users', {
      login: 'oscar',
      firstname: 'Oscar',
      lastname: 'Orga',
      group: 'orga',
      password: 'orga-password-1',
    });
    expect(orga.status).toBe(201);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  /** The problems listed on one file row of the preview, by field. */
  const problemFields = (page: Page, line: number) =>
    page
      .locator(`tr[data-line="${line}"] li[data-field]`)
      .evaluateAll((items) => items.map((li) => li.getAttribute('data-field')));

  it('previews every problem by file row, writes nothing, then imports the rows without problems', async () => {
    const page = await logInPage(browser, gateway, 'admin', gateway.adminPassword);
    try {
      await page.getByRole('region', { name: 'Machines table' }).waitFor();
      await page.getByRole('button', { name: 'Import CSV' }).click();
      const wizard = page.getByRole('region', { name: /Import machines/ });
      await wizard.getByLabel('…or paste it here').fill(CSV);
      await wizard.getByText('30 machines read.').waitFor();
      await wizard.getByRole('button', { name: 'Preview (nothing is written)' }).click();

      // The dry run: each problem on its row, nothing written.
      await wizard
        .getByText('Dry run, nothing written: 27 rows without problems, 3 rows with problems.')
        .waitFor();
      await page.waitForFunction(() => document.activeElement?.tagName === 'H2');
      expect(await problemFields(page, 5)).toEqual(['hostname']);
      expect(await problemFields(page, 12)).toEqual(['mac']);
      expect(await problemFields(page, 20)).toEqual(['mac']);
      expect(await page.locator('tr[data-status="problem"]').count()).toBe(3);
      expect(await page.locator('tr[data-status="ok"]').count()).toBe(27);
      expect((await machineCount()).sort()).toEqual(['old-01', 'old-02']);

      // Back to the file: the text is kept.
      await wizard.getByRole('button', { name: 'Back to the file' }).click();
      expect(await wizard.getByLabel('…or paste it here').inputValue()).toBe(CSV);
      await wizard.getByRole('button', { name: 'Preview (nothing is written)' }).click();

      // Only the rows without problems: dry-run again, then imported for real.
      await wizard.getByRole('button', { name: 'Import the 27 rows without problems' }).click();
      await wizard.getByText('Dry run, nothing written: 27 machines will be created.').waitFor();
      await wizard.getByText('3 rows of the file with problems are left out').waitFor();
      expect(await page.locator('tr[data-line="5"]').count()).toBe(0);
      expect(await machineCount()).toHaveLength(2);
      await wizard.getByRole('button', { name: 'Import 27 machines' }).click();
      await wizard.getByText('Imported: 27 machines created.').waitFor();
      const result = wizard.getByRole('region', { name: 'Import result' });
      expect(await result.locator('tbody tr').count()).toBe(27);

      // The table behind the wizard and the API have them.
      await page.getByText('29 of 29 machines').waitFor();
      await page
        .getByRole('region', { name: 'Machines table' })
        .getByRole('link', { name: 'imp-01' })
        .waitFor();
      const names = await machineCount();
      expect(names).toHaveLength(29);
      expect(names).toContain('imp-01');
      expect(names).not.toContain('imp-12');
      expect(names).not.toContain('imp-20');

      await wizard.getByRole('button', { name: 'Done' }).click();
      await wizard.waitFor({ state: 'detached' });
      // The keyboard is back on the button that opened the wizard.
      await page.waitForFunction(() => document.activeElement?.textContent === 'Import CSV');
    } finally {
      await page.context().close();
    }
  });

  it('an organizer never sees the import', async () => {
    const page = await logInPage(browser, gateway, 'oscar', 'orga-password-1');
    try {
      await page.goto(`${gateway.origin}/machines`);
      await page.getByRole('alert').getByRole('heading', { name: 'Not allowed' }).waitFor();
      expect(await page.getByRole('button', { name: 'Import CSV' }).count()).toBe(0);
    } finally {
      await page.context().close();
    }
  });
});
