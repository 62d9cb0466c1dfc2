/**
 * `pnpm bench:ui`: the machines view with 10,000 machines in headless Chromium, against a real
 * `lanctl start` (login, cookie, the built UI), the machines stream answered by a stub so that
 * the figures are the UI's own (mdb's listing is `pnpm bench:mdb`'s, the stream's `bench:sync`).
 *
 *   pnpm bench:ui [--machines 10000] [--rounds 3] [--burst 300] [--burst-ms 3000]
 *
 * 1. Load and search: the stream stubbed by a page route answering one snapshot. Reports the
 *    time from navigation to the first drawn rows, and for each keystroke of a search the time
 *    from the input event to the next frame after the table shows the new count.
 * 2. The 8 am storm: a room registering at boot. A local SSE stub, same-site with the origin so
 *    the session cookie goes with it, forwards the page and the API to `lanctl start` and answers
 *    `GET /api/v1/sync/machines` itself: the snapshot, then `--burst` `create` changes written
 *    one by one over `--burst-ms` (one SSE message each, as mdb writes them). Reports the time
 *    from the first change sent to the table counting every machine, the main thread's busy time
 *    (Chromium's TaskDuration) and long tasks during it, and a key typed in the search halfway
 *    through: key → next frame (the input shows it), key → the table filtered by it.
 */
import { once } from 'node:events';
import { createServer, request, type ServerResponse } from 'node:http';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { Machine } from '@lanctl/model';
import { type Browser, chromium, type Page } from 'playwright-core';
import { machineMatcher, NO_FILTER } from '../../services/web/src/ui/machines/table.ts';
import { createEvents, fakeMachine, snapshotStream } from '../../tests/web/fixtures.ts';
import { startGateway } from '../../tests/web/gateway.ts';

const { values } = parseArgs({
  options: {
    machines: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '3' },
    burst: { type: 'string', default: '300' },
    'burst-ms': { type: 'string', default: '3000' },
  },
});
const count = Number(values.machines);
const rounds = Number(values.rounds);
const burst = Number(values.burst);
const machines = Array.from({ length: count }, (_, i) => fakeMachine(i));
const arriving = Array.from({ length: burst }, (_, i) => fakeMachine(count + i));
const QUERY = 'm0999';
const matches = (list: Machine[], query: string) =>
  list.filter(machineMatcher({ ...NO_FILTER, query })).length;
const expected = [...QUERY].map((_, i) => matches(machines, QUERY.slice(0, i + 1)));

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

/**
 * Watches the page during a storm (window.__storm): long tasks, the longest gap between two
 * frames, each new count the table shows,
 * when it first counts `total` machines, and for the key typed: its event time, the frame after
 * its input event, and the frame where the count is `keyCounts[shown total - before]`.
 */
const PROBE = `({ before, total, keyCounts }) => {
  const s = { longtasks: [], updates: 0, doneAt: null, keydown: null, inputShown: null, keyTable: null, maxGap: 0 };
  window.__storm = s;
  let previous = performance.now();
  const tick = (t) => {
    s.maxGap = Math.max(s.maxGap, t - previous);
    previous = t;
    if (s.doneAt === null || s.keyTable === null) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) s.longtasks.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask' });
  document.addEventListener('keydown', (e) => { if (s.keydown === null) s.keydown = e.timeStamp; }, true);
  document.addEventListener('input', () =>
    requestAnimationFrame(() => { if (s.inputShown === null) s.inputShown = performance.now(); }));
  const shown = document.querySelector('.count');
  const frame = (key) => requestAnimationFrame(() => { if (s[key] === null) s[key] = performance.now(); });
  new MutationObserver(() => {
    const m = /^(\\d+) of (\\d+) machines$/.exec(shown.textContent);
    if (!m) return;
    s.updates++;
    const [n, all] = [Number(m[1]), Number(m[2])];
    if (all === total) frame('doneAt');
    if (s.keydown !== null && all >= before && n === keyCounts[all - before]) frame('keyTable');
  }).observe(shown, { childList: true, characterData: true, subtree: true });
  return performance.timeOrigin;
}`;

/**
 * The storm's stub: same host as the origin on another port (cookies ignore ports), forwarding
 * everything to `lanctl start` but the machines stream, which it answers with the snapshot and
 * keeps open; `expect()` resolves to the next such answer, to write changes to.
 */
async function startStreamStub(origin: string, snapshot: string) {
  const target = new URL(origin);
  let opened: (res: ServerResponse) => void = () => {};
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/api/v1/sync/machines')) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write(snapshot);
      opened(res);
      return;
    }
    const headers = { ...req.headers, host: target.host };
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.listen(0, target.hostname);
  await once(server, 'listening');
  const { port } = server.address() as import('node:net').AddressInfo;
  return {
    origin: `http://${target.hostname}:${port}`,
    /** The next machines stream the page opens (call before navigating). */
    expect: () => new Promise<ServerResponse>((r) => (opened = r)),
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

interface StormRound {
  /** From the first change written to the frame where the table counts every machine. */
  done: number;
  /** From the last change written to that frame. */
  afterLast: number;
  /** Counts the table showed (renders that took in changes, or the key). */
  updates: number;
  /** Main-thread task time (Chromium's TaskDuration) over `window`, from just before the burst. */
  busy: number;
  window: number;
  longest: number;
  /** The longest time between two animation frames (a frozen page shows as a long gap). */
  maxGap: number;
  longTasks: number;
  keyInput: number;
  keyTable: number;
}

type Stub = Awaited<ReturnType<typeof startStreamStub>>;

/** A fresh `/machines` through the stub, `before` typed in the search: the open stream. */
async function openMachines(page: Page, stub: Stub, before: string): Promise<ServerResponse> {
  const stream = stub.expect();
  await page.goto(`${stub.origin}/machines`);
  const res = await stream;
  await page.getByText(`${count} of ${count} machines`).waitFor();
  const box = page.locator('input[type="search"]');
  if (before) {
    await box.fill(before);
    await page.getByText(`${matches(machines, before)} of ${count} machines`).waitFor();
  }
  await box.focus();
  return res;
}

/**
 * Writes the `arriving` machines' changes one by one, evenly over `--burst-ms`, and presses `key`
 * halfway; the epoch times (ms) of the first and last writes.
 */
async function writeBurst(res: ServerResponse, page: Page, key: string) {
  const events = createEvents('machines', count, arriving);
  const now = () => performance.timeOrigin + performance.now();
  const first = now();
  let pressed: Promise<void> = Promise.resolve();
  for (let i = 0; i < events.length; i++) {
    if (i === events.length >> 1) pressed = page.keyboard.press(key);
    res.write(events[i]);
    // Evenly spread: each write is its own chunk on the wire.
    const due = first + ((i + 1) * Number(values['burst-ms'])) / events.length;
    await new Promise((r) => setTimeout(r, Math.max(0, due - now())));
  }
  const last = now();
  await pressed;
  return { first, last };
}

interface Probed {
  longtasks: [number, number][];
  updates: number;
  doneAt: number;
  keydown: number;
  inputShown: number;
  keyTable: number;
  maxGap: number;
}

/** One storm: `before` typed in the search first, then the burst, with `key` typed halfway. */
async function stormRound(
  page: Page,
  stub: Stub,
  search: { before: string; key: string },
): Promise<StormRound> {
  const all = [...machines, ...arriving];
  const query = search.before + search.key;
  const keyCounts = arriving.map((_, i) => matches(all.slice(0, count + i), query));
  keyCounts.push(matches(all, query));
  const res = await openMachines(page, stub, search.before);
  const probe = { before: count, total: count + burst, keyCounts };
  const pageOrigin = (await page.evaluate(`(${PROBE})(${JSON.stringify(probe)})`)) as number;
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const taskMs = async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return 1000 * (metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0);
  };
  const [busyBefore, since] = [await taskMs(), performance.now()];
  const { first, last } = await writeBurst(res, page, search.key);
  // A function, not a string: the page's CSP forbids eval.
  await page.waitForFunction(
    () => {
      const s = (window as unknown as { __storm: Record<string, number | null> }).__storm;
      return s.doneAt !== null && s.keyTable !== null;
    },
    undefined,
    { timeout: 120_000, polling: 100 },
  );
  const [busy, span] = [(await taskMs()) - busyBefore, performance.now() - since];
  await cdp.detach();
  const s = (await page.evaluate('window.__storm')) as Probed;
  const start = first - pageOrigin;
  const during = s.longtasks.filter(([at, d]) => at + d > start && at < s.doneAt);
  return {
    done: s.doneAt - start,
    afterLast: s.doneAt - (last - pageOrigin),
    updates: s.updates,
    busy,
    window: span,
    longest: Math.max(0, ...during.map(([, d]) => d)),
    maxGap: s.maxGap,
    longTasks: during.length,
    keyInput: s.inputShown - s.keydown,
    keyTable: s.keyTable - s.keydown,
  };
}

const stats = (xs: number[], unit = ' ms') => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(1);
  return `median ${at(0.5)}${unit}, p90 ${at(0.9)}${unit}, max ${s[s.length - 1]!.toFixed(1)}${unit}`;
};

/** Part 1: navigation → rows, then a search typed key by key, the stream a page route. */
async function loadAndSearch(page: Page, origin: string) {
  const body = snapshotStream('machines', machines);
  await page.route('**/api/v1/sync/machines*', (route) =>
    route.fulfill({ body, contentType: 'text/event-stream' }),
  );
  const firstRender: number[] = [];
  const keystrokes: number[] = [];
  for (let round = 0; round < rounds; round++) {
    await page.goto(`${origin}/machines`);
    await page.getByText(`${count} of ${count} machines`).waitFor();
    await page.locator('tbody tr td').first().waitFor();
    firstRender.push(await page.evaluate(() => performance.now()));
    keystrokes.push(...(await typeAndTime(page, QUERY, expected, count)));
  }
  const rows = await page.locator('tbody tr').count();
  await page.unroute('**/api/v1/sync/machines*');
  console.log(`  first render (navigation → rows drawn): ${stats(firstRender)}`);
  console.log(
    `  search keystroke → table updated:       ${stats(keystrokes)} (${keystrokes.length} keys)`,
  );
  console.log(`  rows in the DOM after the search: ${rows}`);
}

/** Part 2: the storm, `rounds` times with an empty search and with `QUERY` typed. */
async function storms(page: Page, origin: string) {
  const stub = await startStreamStub(origin, snapshotStream('machines', machines));
  try {
    for (const before of ['', QUERY]) {
      const results: StormRound[] = [];
      for (let round = 0; round < rounds; round++)
        results.push(await stormRound(page, stub, { before, key: '9' }));
      const of = (f: (r: StormRound) => number, unit?: string) => stats(results.map(f), unit);
      console.log(
        `  storm: ${burst} creates over ${values['burst-ms']} ms, one SSE message each, search "${before}", ${rounds} rounds`,
      );
      console.log(`    first change sent → ${count + burst} counted: ${of((r) => r.done)}`);
      console.log(`    last change sent → ${count + burst} counted:  ${of((r) => r.afterLast)}`);
      console.log(`    table updates (new counts shown):  ${of((r) => r.updates, '')}`);
      console.log(
        `    main thread busy:    ${of((r) => (100 * r.busy) / r.window, ' %')} of the time`,
      );
      console.log(`    longest frame gap:   ${of((r) => r.maxGap)}`);
      const long = results.some((r) => r.longTasks > 0);
      console.log(
        long
          ? `    tasks > 50 ms: ${of((r) => r.longTasks, '')}; longest ${of((r) => r.longest)}`
          : '    tasks > 50 ms: none (the Long Tasks API reports nothing shorter)',
      );
      console.log(`    key "9" halfway → input shows it: ${of((r) => r.keyInput)}`);
      console.log(`    key "9" halfway → table filtered: ${of((r) => r.keyTable)}`);
    }
  } finally {
    stub.close();
  }
}

const gateway = await startGateway();
const browser: Browser = await chromium.launch({
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
  const load = () =>
    loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
  console.log(
    `machines view, ${count} machines, ${rounds} rounds (Chromium ${browser.version()}, load average ${load()})`,
  );
  await loadAndSearch(page, gateway.origin);
  await storms(page, gateway.origin);
  console.log(`load average at the end: ${load()}`);
} finally {
  await browser.close();
  await gateway.stop();
}

function typeAndTime(page: Page, query: string, counts: number[], total: number) {
  return page.evaluate(
    `(${TYPE_AND_TIME})(${JSON.stringify({ query, counts, total })})`,
  ) as Promise<number[]>;
}
