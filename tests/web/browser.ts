import { type Browser, chromium, type Page } from 'playwright-core';
import type { RunningGateway } from './gateway.ts';

/** Debian's Chromium, headless, quiet. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    timeout: 30_000,
  });
}

/** A fresh browser context (no cookie) logged in through the login page. */
export async function logInPage(
  browser: Browser,
  gateway: RunningGateway,
  login: string,
  password: string,
): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  await page.goto(gateway.origin);
  await page.getByLabel('Login').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
  return page;
}

/** A JSON call to the API as the gateway's admin token. */
export async function adminCall(
  gateway: RunningGateway,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  return fetch(`${gateway.origin}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${gateway.adminToken}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}
