/**
 * `pnpm bench:ui`: the machines view with 10,000 machines in headless Chromium, against a real
 * `lanctl start` (login, cookie, the built UI), the machine list answered by a stub so that the
 * figure is the UI's own (mdb's listing is `pnpm bench:mdb`'s).
 *
 *   pnpm bench:ui [--machines 10000] [--rounds 3]
 *
 * Reports the time from navigation to the first drawn rows, and for each keystroke of a search
 * the time from the input event to the next frame after the table shows the new count.
 */
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { machineMatcher, NO_FILTER } from '../../services/web/src/ui/machines/table.ts';
import { fakeMachine, snapshotStream } from '../../tests/web/fixtures.ts';
import { startGateway } from '../../tests/web/gateway.ts';

const { values } = parseArgs({
  options: {
    machines: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '3' },
  },
});
const count = Number(values.machines);
const machines = Array.from({ length: count }, (_, i) => fakeMachine(i));
const QUERY = 'm0999';
const expected = [...QUERY].map(
  (_, i) => machines.filter(machineMatcher({ ...NO_FILTER, query: QUERY.slice(0, i + 1) })).length,
);

/**
 * Types `query` one key at a time; each time, waits for the expected count and a frame. The page
 * script is a string: tsx would wrap a function's inner closures in a helper the page lacks.
 */
const TYPE_AND_TIME = `async ({ query, counts, total }) => {
  const input = document.querySelector('input[type="search"]');
  const shown = document.querySelector('.count');
  const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
  input.focus();
  const times = [];
  for (let i = 0; i < query.length; i++) {
    const want = counts[i] + ' of ' + total + ' machines';
    const started = performance.now();
    setValue.call(input, query.slice(0, i + 1));
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await new Promise((resolve) => {
      const check = () =>
        shown.textContent === want ? requestAnimationFrame(() => resolve()) : requestAnimationFrame(check);
      check();
    });
    times.push(performance.now() - started);
  }
  return times;
}`;

const gateway = await startGateway();
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  await page.goto(`${gateway.origin}/`);
  await page.getByLabel('Login').fill('admin');
  await page.getByLabel('Password').fill(gateway.adminPassword);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  // The machines view's stream, stubbed: the figures are the UI's own time.
  const body = snapshotStream('machines', machines);
  await page.route('**/api/v1/sync/machines*', (route) =>
    route.fulfill({ body, contentType: 'text/event-stream' }),
  );
  const firstRender: number[] = [];
  const keystrokes: number[] = [];
  for (let round = 0; round < Number(values.rounds); round++) {
    await page.goto(`${gateway.origin}/machines`);
    await page.getByText(`${count} of ${count} machines`).waitFor();
    await page.locator('tbody tr td').first().waitFor();
    firstRender.push(await page.evaluate(() => performance.now()));
    keystrokes.push(...(await typeAndTime(page, QUERY, expected, count)));
  }
  const rows = await page.locator('tbody tr').count();
  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(1);
    return `median ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${s[s.length - 1]!.toFixed(1)} ms`;
  };
  console.log(
    `machines view, ${count} machines, ${values.rounds} rounds (Chromium ${browser.version()})`,
  );
  console.log(`  first render (navigation → rows drawn): ${stats(firstRender)}`);
  console.log(
    `  search keystroke → table updated:       ${stats(keystrokes)} (${keystrokes.length} keys)`,
  );
  console.log(`  rows in the DOM after the search: ${rows}`);
} finally {
  await browser.close();
  await gateway.stop();
}

function typeAndTime(
  page: import('playwright-core').Page,
  query: string,
  counts: number[],
  total: number,
): Promise<number[]> {
  return page.evaluate(
    `(${TYPE_AND_TIME})(${JSON.stringify({ query, counts, total })})`,
  ) as Promise<number[]>;
}
