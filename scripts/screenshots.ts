/**
 * `pnpm screenshots:web`: the main views of the web UI in headless Chromium against a fresh
 * `lanctl start`, written to docs/screenshots/ (1600×900, a projector's resolution).
 */
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startGateway } from '../tests/web/gateway.ts';

const OUT = join(import.meta.dirname, '..', 'docs', 'screenshots');
const gateway = await startGateway();
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
});
try {
  const auth = {
    authorization: `Bearer ${gateway.adminToken}`,
    'content-type': 'application/json',
  };
  const rooms = ['pasteur', 'alt', 'cluster'];
  for (let i = 0; i < 60; i++) {
    await fetch(`${gateway.origin}/api/v1/machines`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        hostname: `${rooms[i % 3]!.slice(0, 3)}-r0${1 + (i % 4)}p${String(i).padStart(2, '0')}`,
        mac: `52:54:00:00:01:${i.toString(16).padStart(2, '0')}`,
        mtype: i % 12 === 0 ? 'orga' : 'user',
        room: rooms[i % 3],
        is_faulty: i % 17 === 5,
      }),
    });
  }
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  await page.goto(gateway.origin);
  await page.screenshot({ path: join(OUT, 'login.png') });
  await page.getByLabel('Login').fill('admin');
  await page.getByLabel('Password').fill(gateway.adminPassword);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText('60 of 60 machines').waitFor();
  await page.screenshot({ path: join(OUT, 'machines.png') });
  await page.getByRole('button', { name: 'Add machine' }).click();
  const form = page.getByRole('form', { name: 'Add machine' });
  await form.getByLabel('Hostname').fill('pas-r09p01');
  await form.getByLabel('MAC address').fill('52:54:00:zz');
  await form.getByRole('button', { name: 'Save machine' }).click();
  await form.locator('[data-field="mac"]').waitFor();
  await page.screenshot({ path: join(OUT, 'machines-add-error.png') });
  await page.getByRole('link', { name: 'Users' }).click();
  await page.getByRole('heading', { name: 'Users' }).waitFor();
  await page.screenshot({ path: join(OUT, 'users.png') });
  console.log(`screenshots in ${OUT}`);
} finally {
  await browser.close();
  await gateway.stop();
}
