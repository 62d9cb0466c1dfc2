import type { KeyObject } from 'node:crypto';
import { createLogger, createMetricsRegistry, type Listening, validateConfig } from '@lanctl/core';
import { create, type PresenceService, presenceConfigSchema } from '../index.ts';

/** What presence needs of an mdb harness (structural: services never import services). */
export interface PresenceMdb {
  /** undefined until started */
  service: { syncUrl: string | undefined };
  token(role: 'reader'): string;
  keys: { publicKey: KeyObject; files: { publicKeyFile: string } };
}

/** What presence needs of a udb harness. */
export interface PresenceUdb {
  service: { syncUrl: string | undefined };
  keys: { token(role: 'reader'): string };
}

/** A clock a test moves: presence reads `now()` for sessions and its "too early" window. */
export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

/**
 * `testClock(ms)`: frozen at `ms`, moved only by `advance`; `testClock()`: the wall clock plus
 * whatever `advance` added.
 */
export function testClock(startMs?: number): TestClock {
  let offset = 0;
  return {
    now: () => (startMs ?? Date.now()) + offset,
    advance: (ms) => {
      offset += ms;
    },
  };
}

export interface PresenceHarnessOptions {
  mdb: PresenceMdb;
  udb: PresenceUdb;
  /** Where machines.json and users.json go (the caller owns and removes it). */
  stateDir: string;
  /** Default: the schema's host (127.0.0.1), port 0. */
  listen?: { host?: string; port?: number };
  /** Default: 30 (SADM's). */
  timeoutSeconds?: number;
  /** Default: `testClock()` frozen at 2026-01-01T00:00:00Z. A function cannot be moved here. */
  clock?: TestClock | (() => number);
  /** Advance `clock` (a TestClock) by one timeout once ready: logins are no longer "too early". */
  pastTooEarly?: boolean;
  /** SADM's `/poll` secret file; default null (no `/poll`). */
  subSecretFile?: string | null;
  /** Bound on waiting for the machines and users tables; default 20 s. */
  readyTimeoutMs?: number;
}

export interface PresenceHarness {
  service: PresenceService;
  http: Listening;
  url: string;
  /** The clock presence reads, or null when the caller passed a bare function. */
  clock: TestClock | null;
  stop(): Promise<void>;
}

const EPOCH = Date.parse('2026-01-01T00:00:00Z');

/**
 * A real presence in-process (tests only), following the given mdb's and udb's sync ports with
 * reader tokens, started and ready (both tables loaded). On any failure it is stopped again.
 */
export async function startPresence(options: PresenceHarnessOptions): Promise<PresenceHarness> {
  const { mdb, udb } = options;
  const timeoutSeconds = options.timeoutSeconds ?? 30;
  const given = options.clock ?? testClock(EPOCH);
  const clock = typeof given === 'function' ? null : given;
  if (options.pastTooEarly && !clock)
    throw new Error('startPresence: pastTooEarly needs a TestClock, not a function');
  for (const [name, upstream] of [
    ['mdb', mdb],
    ['udb', udb],
  ] as const)
    if (!upstream.service.syncUrl)
      throw new Error(`startPresence: ${name} has no syncUrl (not started)`);
  const config = validateConfig('test', presenceConfigSchema, {
    listen: { port: 0, ...options.listen },
    timeout_seconds: timeoutSeconds,
    mdb_upstream: mdb.service.syncUrl,
    udb_upstream: udb.service.syncUrl,
    state_dir: options.stateDir,
    auth: { public_key_file: mdb.keys.files.publicKeyFile },
    sadm: { sub_secret_file: options.subSecretFile ?? null },
  });
  const service = create(config, {
    logger: createLogger('presence', { silent: true }),
    metrics: createMetricsRegistry(),
    token: (u) => (u === 'mdb' ? mdb.token('reader') : udb.keys.token('reader')),
    publicKey: mdb.keys.publicKey,
    now: clock ? () => clock.now() : (given as () => number),
  });
  try {
    const http = await service.start();
    await bounded(service.ready(), options.readyTimeoutMs ?? 20_000);
    if (options.pastTooEarly) clock?.advance(timeoutSeconds * 1000);
    return { service, http, url: http.url, clock, stop: () => service.stop() };
  } catch (e) {
    await service.stop();
    throw e;
  }
}

async function bounded(ready: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`presence: machines and users tables not loaded within ${ms} ms`)),
      ms,
    );
  });
  try {
    await Promise.race([ready, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
