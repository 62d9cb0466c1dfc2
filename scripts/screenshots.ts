/**
 * `pnpm screenshots:web`: the main views of the web UI in headless Chromium against a fresh
 * `lanctl start`, written to docs/screenshots/ (1280×800, a projector's resolution): the login
 * page, the machines table (live), the add form with a field error, the machines CSV import's
 * preview with conflicts, the users table and the catalog's rooms.
 */
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { startGateway } from '../tests/web/gateway.ts';

const OUT = join(import.meta.dirname, '..', 'docs', 'screenshots');
const ROOMS = ['pasteur', 'alt', 'cluster'];
const hostname = (i: number) =>
  `${ROOMS[i % 3]!.slice(0, 3)}-r0${1 + (i % 4)}p${String(i).padStart(2, '0')}`;
const mac = (i: number) => `52:54:00:00:01:${i.toString(16).padStart(2, '0')}`;

/**
 * 12 rows of pasteur's row 5 to import; row 2 takes an existing hostname, row 5 has no readable
 * MAC, row 7 takes an existing MAC (the three in view).
 */
const CSV = [
  'hostname,mac,room,mtype',
  ...Array.from({ length: 12 }, (_, i) => {
    const row = i + 1;
    const name = row === 2 ? hostname(0) : `pas-r05p${String(row).padStart(2, '0')}`;
    const address =
      row === 7 ? mac(1) : row === 5 ? '52:54:00:zz:05:05' : `52:54:00:00:05:${mac(row).slice(-2)}`;
    return `${name},${address},pasteur,user`;
  }),
].join('\n');

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
  for (let i = 0; i < 60; i++) {
    await fetch(`${gateway.origin}/api/v1/machines`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        hostname: hostname(i),
        mac: mac(i),
        mtype: i % 12 === 0 ? 'orga' : 'user',
        room: ROOMS[i % 3],
        is_faulty: i % 17 === 5,
      }),
    });
  }
  await seed(gateway.origin, auth);
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.setDefaultTimeout(15_000);
  const shot = (name: string) => page.screenshot({ path: join(OUT, name) });
  await page.goto(gateway.origin);
  await page.getByRole('button', { name: 'Log in' }).waitFor();
  await shot('login.png');
  await page.getByLabel('Login').fill('admin');
  await page.getByLabel('Password').fill(gateway.adminPassword);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByText('60 of 60 machines').waitFor();
  await page.getByText('live', { exact: true }).first().waitFor();
  await shot('machines.png');
  await addError(page);
  await shot('machines-add-error.png');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await importPreview(page);
  await shot('machines-import.png');
  await page.getByRole('link', { name: 'Users' }).click();
  await page.getByRole('heading', { name: 'Users' }).waitFor();
  await page.getByText('ada', { exact: true }).waitFor();
  await shot('users.png');
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Catalog' })
    .click();
  await page.getByRole('region', { name: 'Rooms table' }).waitFor();
  await shot('catalog-rooms.png');
  console.log(`screenshots in ${OUT}`);
} finally {
  await browser.close();
  await gateway.stop();
}

/** The add form refused by mdb: the error under the MAC field, what was typed kept. */
async function addError(page: Page) {
  await page.getByRole('button', { name: 'Add machine' }).click();
  const form = page.getByRole('form', { name: 'Add machine' });
  await form.getByLabel('Hostname').fill('pas-r09p01');
  await form.getByLabel('MAC address').fill('52:54:00:zz');
  await form.getByRole('button', { name: 'Save machine' }).click();
  await form.locator('[data-field="mac"]').waitFor();
}

/** The CSV import's dry run: each problem on its file row, nothing written. */
async function importPreview(page: Page) {
  await page.getByRole('button', { name: 'Import CSV' }).click();
  const wizard = page.getByRole('region', { name: /Import machines/ });
  await wizard.getByLabel('…or paste it here').fill(CSV);
  await wizard.getByRole('button', { name: 'Preview (nothing is written)' }).click();
  await wizard.getByText(/^Dry run, nothing written/).waitFor();
  await wizard.evaluate((e) => e.scrollIntoView());
}

/** A few contestants and organizers, and pasteur's hostname pattern and seats per row. */
async function seed(origin: string, headers: Record<string, string>) {
  const people = [
    ['ada', 'Ada', 'Lovelace', 'user'],
    ['alan', 'Alan', 'Turing', 'user'],
    ['grace', 'Grace', 'Hopper', 'user'],
    ['edsger', 'Edsger', 'Dijkstra', 'user'],
    ['barbara', 'Barbara', 'Liskov', 'user'],
    ['donald', 'Donald', 'Knuth', 'user'],
    ['oscar', 'Oscar', 'Orga', 'orga'],
    ['margaret', 'Margaret', 'Hamilton', 'orga'],
  ];
  for (const [login, firstname, lastname, group] of people) {
    const body = { login, firstname, lastname, group, password: `${login}-password-1` };
    await fetch(`${origin}/api/v1/users`, { method: 'POST', headers, body: JSON.stringify(body) });
  }
  await fetch(`${origin}/api/v1/rooms/pasteur`, {
    method: 'PATCH',
    headers,
    body: JSON.stringify({ hostname_pattern: 'pas-r{row:02}p{seat:02}', seats_per_row: 12 }),
  });
}
