import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { type IncomingMessage, request } from 'node:http';
import { Writable } from 'node:stream';
import { createHttpApp, createLogger, createMetricsRegistry, listen } from '@lanctl/core';
import type { Registry } from 'prom-client';
import type { BootFilesOptions, FileTransfer } from './options.ts';
import { type BootFilesRouter, bootFilesRouter } from './router.ts';

export interface TestFileServer {
  url: string;
  router: BootFilesRouter;
  metrics: Registry;
  transfers: FileTransfer[];
  logs: string[];
  close(): Promise<void>;
}

/** The router mounted at /files in the common express app, on 127.0.0.1 port 0. */
export async function startFileServer(
  options: Partial<BootFilesOptions> & Pick<BootFilesOptions, 'servers'>,
): Promise<TestFileServer> {
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const logger = createLogger('netboot', { stream });
  const metrics = createMetricsRegistry();
  const transfers: FileTransfer[] = [];
  const router = bootFilesRouter({
    maxConcurrent: 64,
    largeBytes: 1024 * 1024,
    queueTimeoutMs: 60_000,
    maxQueue: 1000,
    metrics,
    logger,
    onTransfer: (e) => transfers.push(e),
    ...options,
  });
  const app = createHttpApp({
    service: 'netboot',
    logger,
    metrics,
    health: () => ({ ok: true, files: router.health() }),
    mount: (a) => a.use('/files', router),
  });
  const l = await listen(app, '127.0.0.1', 0);
  return { url: l.url, router, metrics, transfers, logs, close: () => l.close(1000) };
}

export interface CurlResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** curl with a hard timeout; never rejects (the exit code is in the result). */
export function curl(args: string[], timeoutMs = 20_000): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile(
      'curl',
      ['-sS', ...args],
      { encoding: 'buffer', timeout: timeoutMs, maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr: stderr.toString() });
      },
    );
  });
}

export const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Response headers of `curl -i`/`-I` output, lower-cased names, and the status of the last. */
export function headersOf(text: string): { status: number; headers: Map<string, string> } {
  const blocks = text.split(/\r\n\r\n/).filter((b) => b.startsWith('HTTP/'));
  const last = blocks.at(-1) ?? '';
  const [statusLine = '', ...lines] = last.split('\r\n');
  const headers = new Map<string, string>();
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  return { status: Number(statusLine.split(' ')[1]), headers };
}

/** A GET whose body is not read: it holds its slot until destroyed. Resolves at the headers. */
export function heldGet(url: string): { response: Promise<IncomingMessage>; abort(): void } {
  const req = request(url, { agent: false });
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    req.on('response', (res) => {
      res.pause();
      resolve(res);
    });
    req.on('error', reject);
  });
  response.catch(() => {});
  req.end();
  return { response, abort: () => req.destroy() };
}

/** The value of one sample of a metric in the registry, or undefined. */
export async function metricValue(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const metric = await registry.getSingleMetric(name)?.get();
  const sample = metric?.values.find((s) =>
    Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return sample?.value;
}
