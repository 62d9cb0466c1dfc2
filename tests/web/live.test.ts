/**
 * The live views in headless Chromium against a real `lanctl start`: the room map follows a
 * login and a logout made through presence's API with a workstation token (no reload), says
 * when its stream is lost, and the boot board lists the room's machines.
 */
import { join } from 'node:path';
import { issueToken, loadPrivateKey, presenceHostScope } from '@lanctl/auth';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCall, launchChromium, logInPage } from './browser.ts';
import { type RunningGateway, startGateway } from './gateway.ts';

const HOST = 'pas-r01p01';
/** presence refuses logins as "too early" for one timeout after its start: keep it short. */
const PRESENCE_TIMEOUT_SECONDS = 3;

describe('live views', () => {
  let gateway: RunningGateway;
  let browser: Browser;
  let page: Page;
  let workstation: string;

  beforeAll(async () => {
    const before = process.env.LANCTL_PRESENCE_TIMEOUT_SECONDS;
    process.env.LANCTL_PRESENCE_TIMEOUT_SECONDS = String(PRESENCE_TIMEOUT_SECONDS);
    try {
      gateway = await startGateway();
    } finally {
      if (before === undefined) delete process.env.LANCTL_PRESENCE_TIMEOUT_SECONDS;
      else process.env.LANCTL_PRESENCE_TIMEOUT_SECONDS = before;
    }
    const machine = await adminCall(gateway, 'POST', '/machines', {
      hostname: HOST,
      mac: '52:54:00:00:02:01',
      mtype: 'user',
      room: 'pasteur',
    });
    expect(machine.status).toBe(201);
    const user = await adminCall(gateway, 'POST', '/users', {
      login: 'alice',
      firstname: 'Alice',
      lastname: 'Contestant',
      group: 'user',
      password: 'alice-password-1',
    });
    expect(user.status).toBe(201);
    // `lanctl token create --name ws-pas-r01p01 --role reader --host pas-r01p01`, signed with
    // the gateway's key: a token good for this machine's presence calls only.
    workstation = issueToken(loadPrivateKey(join(gateway.data, 'token-signing.key')), {
      subject: `ws-${HOST}`,
      role: 'reader',
      scopes: [presenceHostScope(HOST)],
      ttlSeconds: 600,
    });
    browser = await launchChromium();
    page = await logInPage(browser, gateway, 'admin', gateway.adminPassword);
  });
  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
  });

  const presence = (action: 'login' | 'logout' | 'heartbeat') =>
    fetch(`${gateway.origin}/api/v1/presence/${action}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${workstation}`, 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'alice', hostname: HOST }),
    });

  /** Logs alice in on HOST, waiting out presence's "too early" window after its start. */
  async function logInAlice(): Promise<void> {
    const deadline = Date.now() + (PRESENCE_TIMEOUT_SECONDS + 10) * 1000;
    for (;;) {
      const answer = await presence('login');
      if (answer.status === 200) return;
      const body = await answer.text();
      if (Date.now() > deadline || !body.includes('too_early')) {
        throw new Error(`login refused: ${answer.status} ${body}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  it('the room map shows a login and a logout as they happen, without a reload', async () => {
    await page.getByRole('link', { name: 'Room map' }).click();
    await page.getByRole('heading', { name: 'Room map' }).waitFor();
    const seat = page.locator(`li.seat[data-host="${HOST}"]`);
    await seat.getByText('free', { exact: true }).waitFor();
    await page.getByText('live', { exact: true }).waitFor();
    // A mark that a reload would wipe.
    await page.evaluate(() => {
      (window as unknown as { mark: number }).mark = 42;
    });

    await logInAlice();
    // The session lasts one timeout without heartbeats: the workstation keeps sending them.
    const heartbeat = setInterval(() => void presence('heartbeat').catch(() => {}), 1000);
    try {
      await seat.getByText('alice', { exact: true }).waitFor();
      expect(await seat.getAttribute('data-state')).toBe('taken');
      await page.getByText('1 taken · 0 free').waitFor();
    } finally {
      clearInterval(heartbeat);
    }
    expect((await presence('logout')).status).toBe(200);
    await seat.getByText('free', { exact: true }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { mark?: number }).mark)).toBe(42);
  });

  it('says when the stream is lost, and comes back live', async () => {
    // The stream refused (sso stopping, too many viewers): the state still shows, marked stale.
    await page.route('**/usermap/events', (route) =>
      route.fulfill({ status: 503, json: { error: { code: 'unavailable', message: 'x' } } }),
    );
    await page.reload();
    await page.getByRole('alert').getByText('the map may be stale').waitFor();
    await page.getByText('stream lost', { exact: true }).waitFor();
    await page.locator(`li.seat[data-host="${HOST}"]`).getByText('free').waitFor();
    // Once the stream answers again, the page opens it again by itself.
    await page.unroute('**/usermap/events');
    await page.getByText('live', { exact: true }).waitFor({ timeout: 15_000 });
    expect(await page.getByText('the map may be stale').count()).toBe(0);
  });

  it('the boot board lists the room with each machine’s verdict', async () => {
    await page.getByRole('link', { name: 'Boot board' }).click();
    await page.getByRole('heading', { name: 'Boot board' }).waitFor();
    await page.getByLabel('Room').selectOption('pasteur');
    const row = page.locator(`tr[data-host="${HOST}"]`);
    await row.waitFor();
    expect(await row.locator('td').last().textContent()).not.toBe('');
    await page.getByText(/\d+ booted · \d+ booting · \d+ stuck · \d+ not seen/).waitFor();
    // A seat's hostname leads to the machine page, which says who is there (nobody now).
    await row.getByRole('link', { name: HOST }).click();
    await page.getByText('Nobody is logged in.').waitFor();
  });
});
