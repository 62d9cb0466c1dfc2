/**
 * The web UI in headless Chromium (Debian's, driven by playwright-core) against a real
 * `lanctl start`: login per role, the machines view and its add form, the organizer's refusal.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCall, launchChromium, logInPage } from './browser.ts';
import { fakeMachine, snapshotStream } from './fixtures.ts';
import { type RunningGateway, startGateway } from './gateway.ts';

describe('web UI', () => {
  let gateway: RunningGateway;
  let browser: Browser;

  beforeAll(async () => {
    gateway = await startGateway();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  const logIn = (login: string, password: string): Promise<Page> =>
    logInPage(browser, gateway, login, password);

  const navLinks = (page: Page) =>
    page.getByRole('navigation', { name: 'Main' }).getByRole('link').allTextContents();

  it('a root adds a machine: a bad MAC is shown under its field, the fix lands in the list', async () => {
    const page = await logIn('admin', gateway.adminPassword);
    try {
      expect(await navLinks(page)).toEqual([
        'Machines',
        'Users',
        'Room map',
        'Boot board',
        'Catalog',
        'Settings',
      ]);
      await page.getByRole('heading', { name: 'Machines' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/machines');

      await page.getByRole('button', { name: 'Add machine' }).click();
      const form = page.getByRole('form', { name: 'Add machine' });
      // The form opens with the keyboard in its first field.
      await page.keyboard.type('pas-r01p01');
      await form.getByLabel('MAC address').fill('52:54:00:12:34:zz');
      await form.getByLabel('Room').fill('pasteur');
      await form.getByLabel('Type').fill('user');
      await form.getByRole('button', { name: 'Save machine' }).click();

      const mac = form.getByLabel('MAC address');
      await form.locator('[data-field="mac"]').waitFor();
      expect(await mac.getAttribute('aria-invalid')).toBe('true');
      const errorId = (await mac.getAttribute('aria-describedby'))!.split(' ')[0]!;
      const error = form.locator(`[id="${errorId}"]`);
      expect(await error.textContent()).toMatch(/MAC/i);
      // Next to its field: right under the MAC input, left-aligned with it.
      const [input, message] = [await mac.boundingBox(), await error.boundingBox()];
      expect(message!.y - (input!.y + input!.height)).toBeGreaterThanOrEqual(0);
      expect(message!.y - (input!.y + input!.height)).toBeLessThan(40);
      expect(Math.abs(message!.x - input!.x)).toBeLessThan(4);
      // Nothing typed is lost; the other fields carry no error.
      expect(await form.getByLabel('Hostname').inputValue()).toBe('pas-r01p01');
      expect(await mac.inputValue()).toBe('52:54:00:12:34:zz');
      expect(await form.getByLabel('Hostname').getAttribute('aria-invalid')).toBeNull();

      await mac.fill('52:54:00:12:34:56');
      await form.getByRole('button', { name: 'Save machine' }).click();
      await page.getByRole('status').getByText('Added pas-r01p01').waitFor();
      expect(await form.count()).toBe(0);
      const table = page.getByRole('region', { name: 'Machines table' });
      await table.getByRole('cell', { name: 'pas-r01p01', exact: true }).waitFor();
      // Search as you type, by any spelling of the MAC.
      await page.getByLabel('Search').fill('12-34-56');
      await page.getByText('1 of 1 machines').waitFor();
      await page.getByLabel('Search').fill('nothing-like-this');
      await page.getByText('0 of 1 machines').waitFor();
      // Escape closes the form and gives the focus back to the button that opened it.
      await page.getByRole('button', { name: 'Add machine' }).click();
      await form.getByLabel('Hostname').waitFor();
      await page.keyboard.press('Escape');
      await form.waitFor({ state: 'detached' });
      await page.waitForFunction(() => document.activeElement?.textContent === 'Add machine');
    } finally {
      await page.context().close();
    }
  });

  it('an organizer sees Users only and is refused the machines view', async () => {
    const created = await fetch(`${gateway.origin}/api/v1/users`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${gateway.adminToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        login: 'olga',
        firstname: 'Olga',
        lastname: 'Organizer',
        group: 'orga',
        password: 'orga-password-1',
      }),
    });
    expect(created.status).toBe(201);
    const page = await logIn('olga', 'orga-password-1');
    try {
      expect(await navLinks(page)).toEqual(['Users', 'Room map', 'Boot board']);
      await page.getByRole('heading', { name: 'Users' }).waitFor();
      await page.getByRole('cell', { name: 'olga', exact: true }).waitFor();
      // The users stream the page follows with its cookie carries no password hash.
      const snapshot = await page.evaluate(async () => {
        const controller = new AbortController();
        const answer = await fetch('/api/v1/sync/users', { signal: controller.signal });
        const reader = answer.body!.getReader();
        let text = '';
        while (!text.includes('\n\n'))
          text += new TextDecoder().decode((await reader.read()).value);
        controller.abort();
        return text;
      });
      expect(snapshot).toContain('"login":"olga"');
      expect(snapshot).not.toContain('password_hash');
      expect(snapshot).not.toContain('$6$');

      await page.goto(`${gateway.origin}/machines`);
      const refusal = page.getByRole('alert');
      await refusal.getByRole('heading', { name: 'Not allowed' }).waitFor();
      expect(await refusal.textContent()).toContain('Machines is for root accounts');
      expect(await page.getByRole('region', { name: 'Machines table' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Add machine' }).count()).toBe(0);

      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('button', { name: 'Log in' }).waitFor();
      // The cookie is gone: a reload stays on the login page.
      await page.reload();
      await page.getByRole('button', { name: 'Log in' }).waitFor();
    } finally {
      await page.context().close();
    }
  });

  it('a session that ends mid-form: logging in again in a dialog keeps what was typed', async () => {
    const page = await logIn('admin', gateway.adminPassword);
    try {
      await page.getByRole('button', { name: 'Add machine' }).click();
      const form = page.getByRole('form', { name: 'Add machine' });
      await form.getByLabel('Hostname').fill('pas-r02p01');
      await form.getByLabel('MAC address').fill('52:54:00:12:35:01');
      await form.getByLabel('Room').fill('pasteur');
      await form.getByLabel('Type').fill('user');
      // The session ends (expired, or the cookie is gone): the save is refused with a 401.
      await page.context().clearCookies();
      await form.getByRole('button', { name: 'Save machine' }).click();
      const dialog = page.getByRole('dialog', { name: 'Your session ended' });
      await dialog.waitFor();
      // It cannot be dismissed (Chromium closes a modal dialog on a third Escape otherwise).
      for (let i = 0; i < 3; i++) await page.keyboard.press('Escape');
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
      expect(await dialog.isVisible()).toBe(true);
      expect(await dialog.getByLabel('Login').inputValue()).toBe('admin');
      await dialog.getByLabel('Password').fill(gateway.adminPassword);
      await dialog.getByRole('button', { name: 'Log in' }).click();
      await dialog.waitFor({ state: 'detached' });
      expect(await form.getByLabel('Hostname').inputValue()).toBe('pas-r02p01');
      expect(await form.getByLabel('MAC address').inputValue()).toBe('52:54:00:12:35:01');
      await form.getByRole('button', { name: 'Save machine' }).click();
      await page.getByRole('status').getByText('Added pas-r02p01').waitFor();
    } finally {
      await page.context().close();
    }
  });

  it('a contestant sees only who they are, and no view of the organizers', async () => {
    const created = await adminCall(gateway, 'POST', '/users', {
      login: 'carla',
      firstname: 'Carla',
      lastname: 'Contestant',
      group: 'user',
      password: 'contest-password-1',
    });
    expect(created.status).toBe(201);
    const page = await logIn('carla', 'contest-password-1');
    try {
      expect(await navLinks(page)).toEqual(['My account']);
      await page.getByRole('heading', { name: 'My account' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/account');
      expect(await page.getByRole('definition').first().textContent()).toBe('carla');
      await page.goto(`${gateway.origin}/users`);
      await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
      // Nor through the change streams, with the same cookie.
      const status = (table: string) =>
        page.evaluate(async (t) => {
          const controller = new AbortController();
          const answer = await fetch(`/api/v1/sync/${t}`, { signal: controller.signal });
          controller.abort();
          return answer.status;
        }, table);
      expect(await status('users')).toBe(403);
      expect(await status('machines')).toBe(403);
    } finally {
      await page.context().close();
    }
  });

  it('keeps only the visible rows of 10,000 machines in the DOM', async () => {
    const page = await logIn('admin', gateway.adminPassword);
    try {
      const machines = Array.from({ length: 10_000 }, (_, i) => fakeMachine(i));
      // The table's data is stubbed (10,000 real inserts would cost this test most of its time).
      await page.route('**/api/v1/sync/machines*', (route) =>
        route.fulfill({
          body: snapshotStream('machines', machines),
          contentType: 'text/event-stream',
        }),
      );
      await page.reload();
      const table = page.getByRole('region', { name: 'Machines table' });
      await page.getByText('10000 of 10000 machines').waitFor();
      expect(await table.locator('tbody tr').count()).toBeLessThan(60);
      expect(await table.locator('table').getAttribute('aria-rowcount')).toBe('10001');

      // Scrolled to the very end, the last machine is drawn (row heights add up exactly).
      await table.evaluate((el) => {
        el.scrollTop = el.scrollHeight;
      });
      await table.getByRole('cell', { name: 'm09999', exact: true }).waitFor();
      expect(await table.locator('tbody tr').count()).toBeLessThan(60);

      await page.getByLabel('Search').fill('m0999');
      await page.getByText('10 of 10000 machines').waitFor();
      // Sorting by IP descending puts the highest address first.
      await page.getByLabel('Search').fill('');
      await table.evaluate((el) => {
        el.scrollTop = 0;
      });
      await table.getByRole('button', { name: 'IP' }).click();
      await table.getByRole('button', { name: 'IP' }).click();
      expect(await table.getByRole('columnheader', { name: 'IP' }).getAttribute('aria-sort')).toBe(
        'descending',
      );
      await table.locator('tbody tr').first().getByText('10.0.39.15').waitFor();
    } finally {
      await page.context().close();
    }
  });
});
