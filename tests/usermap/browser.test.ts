import { existsSync } from 'node:fs';
import {
  createHttpApp,
  createLogger,
  createMetricsRegistry,
  type Listening,
  listen,
  validateConfig,
} from '@lanctl/core';
import type { Machine } from '@lanctl/model';
import { machineRecord, type TempDir, tempDir } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createUsermap,
  type UsermapSource,
  usermapConfigSchema,
} from '../../services/sso/src/usermap/index.ts';
import { type Browser, CHROMIUM, launchBrowser } from './cdp.ts';

const EVIL = '<img src=x onerror="document.title=1">';
const machines: Machine[] = Array.from({ length: 6 }, (_, i) =>
  machineRecord({
    hostname: `pas-r${Math.floor(i / 3) + 1}p${(i % 3) + 1}`,
    ip: '127.0.0.1',
    room: 'pasteur',
  }),
);
const sessions = new Map([['pas-r1p1', 'alice']]);
const listeners = new Set<() => void>();
const source: UsermapSource = {
  ready: () => true,
  machines: () => machines,
  rooms: () => [
    { name: 'pasteur', description: EVIL, hostname_pattern: 'pas-r{row}p{seat}', seats_per_row: 3 },
  ],
  sessions: () => sessions,
  groupOf: (login) => (login === 'alice' ? 'user' : undefined),
  onChange(l) {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};

let dir: TempDir;
let http: Listening | null = null;
let usermap: ReturnType<typeof createUsermap>;
let browser: Browser | null = null;

beforeAll(async () => {
  dir = await tempDir('lanctl-usermap-browser-');
  const logger = createLogger('sso', { silent: true });
  const metrics = createMetricsRegistry();
  usermap = createUsermap({
    config: validateConfig('sso', usermapConfigSchema, { ping: { enabled: false } }),
    source,
    logger,
    metrics,
  });
  const app = createHttpApp({
    service: 'sso',
    logger,
    metrics,
    mount: (a) => a.use('/lan/usermap', usermap.router),
  });
  http = await listen(app, '127.0.0.1', 0);
  usermap.start();
  browser = launchBrowser(dir.path);
});

afterAll(async () => {
  await browser?.close();
  await usermap?.stop();
  await http?.close();
  await dir?.cleanup();
});

/** Polls an expression in the page until it returns true (the page's own pace, no threshold). */
async function until(evaluate: (e: string) => Promise<unknown>, expression: string, what: string) {
  for (let i = 0; i < 400; i++) {
    if ((await evaluate(expression)) === true) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const SEATS = `JSON.stringify([...document.querySelectorAll('.grid .seat')].map((s) => [s.querySelector('.host').textContent, s.querySelector('.who').textContent, s.style.gridRow, s.style.gridColumn]))`;

describe.skipIf(!existsSync(CHROMIUM))(
  'usermap in headless Chromium (skipped without /usr/bin/chromium)',
  () => {
    it('renders seats from the stream, re-renders on change, never runs injected markup, shows a lost stream', async () => {
      const evaluate = await (browser as Browser).open(`${http?.url}/lan/usermap`);
      await until(evaluate, `document.getElementById('status')?.className === 'ok'`, 'the stream');
      expect(await evaluate(`location.pathname`)).toBe('/lan/usermap');
      expect(JSON.parse((await evaluate(SEATS)) as string)).toEqual([
        ['pas-r1p1', 'alice', '1', '1'],
        ['pas-r1p2', 'free', '1', '2'],
        ['pas-r1p3', 'free', '1', '3'],
        ['pas-r2p1', 'free', '2', '1'],
        ['pas-r2p2', 'free', '2', '2'],
        ['pas-r2p3', 'free', '2', '3'],
      ]);
      sessions.set('pas-r2p3', EVIL);
      for (const l of listeners) l();
      await until(
        evaluate,
        `document.querySelectorAll('#rooms .seat.taken').length === 2`,
        'the update',
      );
      expect(await evaluate(`document.querySelectorAll('img').length`)).toBe(0);
      expect(await evaluate(`document.title`)).toBe('lanctl usermap');
      expect(
        await evaluate(
          `[...document.querySelectorAll('#rooms .who')].some((e) => e.textContent === ${JSON.stringify(EVIL)})`,
        ),
      ).toBe(true);
      expect(await evaluate(`document.querySelector('.room small').textContent`)).toBe(EVIL);
      await usermap.stop();
      await http?.close();
      http = null;
      await until(
        evaluate,
        `document.getElementById('status').className === 'lost'`,
        'the lost stream',
      );
      expect(await evaluate(`document.getElementById('status').textContent`)).toMatch(
        /may be stale/,
      );
      expect(await evaluate(`document.body.classList.contains('stale')`)).toBe(true);
    });
  },
);
