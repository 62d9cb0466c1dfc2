import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

export const CHROMIUM = '/usr/bin/chromium';

/** A headless Chromium driven over --remote-debugging-pipe (CDP, NUL-separated JSON): tests only. */
export interface Browser {
  /** Opens `url` in a new tab; returns a function evaluating an expression there. */
  open(url: string): Promise<(expression: string) => Promise<unknown>>;
  close(): Promise<void>;
}

export function launchBrowser(userDataDir: string): Browser {
  const child: ChildProcess = spawn(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-extensions',
      '--no-first-run',
      '--remote-debugging-pipe',
      `--user-data-dir=${userDataDir}`,
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'], detached: true },
  );
  const input = child.stdio[3] as Writable;
  const output = child.stdio[4] as Readable;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let buffer = '';
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true;
      for (const w of waiting.values()) w.reject(new Error('chromium exited'));
      resolve();
    }),
  );
  child.on('error', () => {});
  output.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let end = buffer.indexOf('\0');
    while (end !== -1) {
      const message = JSON.parse(buffer.slice(0, end)) as {
        id?: number;
        result?: unknown;
        error?: { message: string };
      };
      buffer = buffer.slice(end + 1);
      end = buffer.indexOf('\0');
      const w = message.id === undefined ? undefined : waiting.get(message.id);
      if (!w || message.id === undefined) continue;
      waiting.delete(message.id);
      if (message.error) w.reject(new Error(message.error.message));
      else w.resolve(message.result);
    }
  });
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  const send = (method: string, params: object = {}, sessionId?: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      if (exited) return reject(new Error('chromium exited'));
      const id = nextId++;
      waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
      input.write(`${JSON.stringify({ id, method, params, sessionId })}\0`);
    });
  return {
    async open(url) {
      const { targetId } = await send('Target.createTarget', { url });
      const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
      return async (expression) => {
        const reply = await send(
          'Runtime.evaluate',
          { expression, returnByValue: true, awaitPromise: true },
          sessionId as string,
        );
        if (reply.exceptionDetails) throw new Error(JSON.stringify(reply.exceptionDetails));
        return (reply.result as { value?: unknown }).value;
      };
    },
    async close() {
      if (!exited) {
        await send('Browser.close').catch(() => {});
        const timer = setTimeout(killGroup, 5000);
        await exit;
        clearTimeout(timer);
      }
      killGroup(); // helpers (zygote, renderers) still exiting: our own process group only
    },
  };
}
