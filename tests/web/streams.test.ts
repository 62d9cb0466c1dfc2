/**
 * Views follow the sync streams: a change made by someone else (here through the API, as another
 * root's CLI would) shows in the open page without a reload, in headless Chromium against a real
 * `lanctl start`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCall, launchChromium, logInPage } from './browser.ts';
import { type RunningGateway, startGateway } from './gateway.ts';

describe('views follow changes made elsewhere', () => {
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

  const open = async (path: string) => {
    await page.goto(`${gateway.origin}${path}`);
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();
  };
  const ok = async (response: Promise<Response>) => {
    const answer = await response;
    expect(answer.status, await answer.clone().text()).toBeLessThan(300);
  };

  it('users: an account created and deleted elsewhere comes and goes', async () => {
    await open('/users');
    await ok(
      adminCall(gateway, 'POST', '/users', {
        login: 'jdoe',
        firstname: 'Jane',
        lastname: 'Doe',
        group: 'user',
      }),
    );
    const row = page.getByRole('row').filter({ hasText: 'jdoe' });
    await row.waitFor();
    await ok(adminCall(gateway, 'DELETE', '/users/jdoe'));
    await row.waitFor({ state: 'detached' });
  });

  it('rooms: a room added elsewhere shows in the table', async () => {
    await open('/rooms');
    await ok(adminCall(gateway, 'POST', '/rooms', { name: 'turing', description: 'Turing hall' }));
    await page.getByRole('row').filter({ hasText: 'Turing hall' }).waitFor();
  });

  it('pools: a machine taking an address changes the pool use shown', async () => {
    await open('/pools');
    const before = await page.getByRole('row').filter({ hasText: 'user' }).first().textContent();
    await ok(
      adminCall(gateway, 'POST', '/machines', {
        hostname: 'tur-r01p01',
        mac: '52:54:00:aa:00:01',
        mtype: 'user',
        room: 'turing',
      }),
    );
    await expect
      .poll(() => page.getByRole('row').filter({ hasText: 'user' }).first().textContent(), {
        timeout: 15_000,
      })
      .not.toBe(before);
  });

  it('settings: contest mode turned on elsewhere shows at once', async () => {
    await open('/settings');
    const card = page.getByRole('region', { name: 'Contest mode' });
    await card.getByRole('button', { name: 'Turn contest mode on…' }).waitFor();
    await ok(adminCall(gateway, 'PUT', '/settings/contest_mode', { value: true }));
    await card.getByText('On — contestants have no internet').waitFor();
    await ok(adminCall(gateway, 'PUT', '/settings/contest_mode', { value: false }));
    await card.getByRole('button', { name: 'Turn contest mode on…' }).waitFor();
  });

  it('a hidden tab gives its stream back and catches up when shown again', async () => {
    await open('/machines');
    const { mdb } = JSON.parse(readFileSync(join(gateway.data, 'ports.json'), 'utf8'));
    const subscribers = async () => {
      const metrics = await (await fetch(`${mdb}/metrics`)).text();
      return Number(/^lanctl_mdb_sync_subscribers (\d+)/m.exec(metrics)?.[1]);
    };
    const visibility = (state: 'hidden' | 'visible') =>
      page.evaluate((value) => {
        Object.defineProperty(document, 'visibilityState', { value, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    const shown = await subscribers();
    await visibility('hidden');
    await expect.poll(subscribers, { timeout: 15_000 }).toBe(shown - 1);
    await ok(
      adminCall(gateway, 'POST', '/machines', {
        hostname: 'tur-r01p02',
        mac: '52:54:00:aa:00:02',
        mtype: 'user',
        room: 'turing',
      }),
    );
    await visibility('visible');
    await page.getByRole('link', { name: 'tur-r01p02', exact: true }).waitFor();
    expect(await subscribers()).toBe(shown);
  });

  it('views share one stream per table: list → machine page → list opens it once', async () => {
    await open('/machines');
    const opened: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/sync/machines')) opened.push(r.url());
    });
    await page.getByRole('link', { name: 'tur-r01p01', exact: true }).click();
    await page.getByRole('heading', { name: 'tur-r01p01' }).waitFor();
    await page.getByRole('link', { name: '← All machines' }).click();
    await page.getByRole('link', { name: 'tur-r01p02', exact: true }).waitFor();
    expect(opened).toEqual([]);
  });
});
