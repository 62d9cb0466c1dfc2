import { isAbsolute } from 'node:path';
import type { Logger } from '@lanctl/core';
import type { Request } from 'express';
import type { Registry } from 'prom-client';

export interface FileServerSpec {
  /** Directory served, read-only (e.g. /export/nfsroot/boot). */
  root: string;
}

/** One call per finished, aborted or refused request, for the per-machine boot timeline. */
export interface FileTransfer {
  /** ms since the epoch, when the request arrived. */
  at: number;
  ip: string;
  server: string;
  path: string;
  status: number;
  /** Body bytes sent; for an aborted transfer, bytes read for it (an upper bound). */
  bytes: number;
  /** Size of the file, null when it was not found or refused. */
  size: number | null;
  range: string | null;
  duration_ms: number;
  queued_ms: number;
  outcome: TransferOutcome;
}

export type TransferOutcome =
  | 'done'
  | 'aborted'
  | 'not-found'
  | 'refused'
  | 'queue-full'
  | 'queue-timeout'
  | 'bad-range';

export interface BootFilesOptions {
  /** Name (e.g. 'rfs0') → directory. Requests: GET|HEAD /<name>/<relative path>. */
  servers: Record<string, FileServerSpec>;
  /** Transfers of ≥ largeBytes running at once per server (Infinity: no cap); more wait (FIFO). */
  maxConcurrent: number;
  /** Responses shorter than this (scripts, small images) are never queued. */
  largeBytes: number;
  /** A request waiting longer than this gets 503 + Retry-After. */
  queueTimeoutMs: number;
  /** Requests arriving while this many wait get 503 + Retry-After at once. */
  maxQueue: number;
  metrics: Registry;
  logger: Logger;
  onTransfer?(e: FileTransfer): void;
  /** Who asked (the service's own rule for proxies); express's `req.ip` by default. */
  clientIp?(req: Request): string;
  now?: () => number;
  /** Size of each of a transfer's two reused read buffers (default 256 KiB; see docs/benchmarks.md, "boot"). */
  chunkBytes?: number;
  /** Retry-After of a 503, in seconds (default 5). */
  retryAfterSeconds?: number;
}

const SERVER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

function need(ok: boolean, field: string, message: string): void {
  if (!ok) throw new Error(`${field}: ${message}`);
}

const count = (n: unknown) => typeof n === 'number' && Number.isInteger(n) && n >= 0;

/** Fails fast, naming the field, on options the router cannot work with. */
export function checkOptions(o: BootFilesOptions): void {
  need(typeof o.servers === 'object' && o.servers !== null, 'servers', 'must be an object');
  for (const [name, spec] of Object.entries(o.servers)) {
    need(SERVER_NAME.test(name), `servers.${name}`, 'name must be [A-Za-z0-9._-], ≤ 63 chars');
    need(
      typeof spec?.root === 'string' && isAbsolute(spec.root),
      `servers.${name}.root`,
      'must be an absolute directory path',
    );
  }
  const max = o.maxConcurrent;
  need(
    max === Number.POSITIVE_INFINITY || (count(max) && max >= 1),
    'maxConcurrent',
    'must be an integer ≥ 1 (or Infinity)',
  );
  need(count(o.largeBytes), 'largeBytes', 'must be an integer ≥ 0');
  need(count(o.queueTimeoutMs) && o.queueTimeoutMs >= 1, 'queueTimeoutMs', 'must be ≥ 1');
  need(count(o.maxQueue), 'maxQueue', 'must be an integer ≥ 0');
  need(o.metrics !== undefined && o.metrics !== null, 'metrics', 'a prom-client Registry');
  need(o.logger !== undefined && o.logger !== null, 'logger', 'a logger is required');
  if (o.chunkBytes !== undefined) {
    need(count(o.chunkBytes) && o.chunkBytes >= 4096, 'chunkBytes', 'must be ≥ 4096');
  }
  if (o.retryAfterSeconds !== undefined) {
    need(count(o.retryAfterSeconds), 'retryAfterSeconds', 'must be an integer ≥ 0');
  }
}
