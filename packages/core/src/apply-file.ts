import { randomBytes } from 'node:crypto';
import { type FileHandle, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Express } from 'express';
import { Gauge, type Registry } from 'prom-client';
import { createHttpApp, type HealthReport } from './http.ts';
import type { Logger } from './logging.ts';
import { type Listening, listen } from './server.ts';

export interface ApplyFileOptions {
  path: string;
  content: string | Buffer;
  /** Exact permission bits of the file (the umask does not apply). */
  mode: number;
  /** Owner and group of the file; omitted: whoever the writing process is. */
  owner?: { uid: number; gid: number };
  /**
   * Checks the new file before it replaces the old one (e.g. `dhcpd -t -cf <tmpPath>`, `pwck`):
   * called with the temp file, complete, synced, with its final mode and owner, in the target's
   * directory. A rejection keeps the old file.
   */
  validate?: (tmpPath: string) => Promise<void>;
  /** Runs after the new file is in place (a reload); never when nothing changed. */
  onChanged?: () => void | Promise<void>;
}

export type ApplyFileResult = 'unchanged' | 'written';

/** A failure of `applyFile`; `written` says whether the new file is in place (only a failed `onChanged`). */
export class ApplyFileError extends Error {
  constructor(
    message: string,
    readonly path: string,
    readonly written: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApplyFileError';
  }
}

/**
 * The one generator harness (STYLE rule 5): puts `content` at `path` unless the file already
 * holds exactly it with the same mode and owner ('unchanged': no write, no `onChanged`).
 * Otherwise: a temp file in the same directory (so the rename is atomic), written, fsynced,
 * chowned and chmodded, validated, renamed over `path`, then the directory fsynced, then
 * `onChanged`. A reader sees the old file or the new one, never a mix. On any failure before the
 * rename the temp file is removed, the old file stays as it was, and an `ApplyFileError` is thrown.
 */
export async function applyFile(options: ApplyFileOptions): Promise<ApplyFileResult> {
  const { path } = options;
  const content =
    typeof options.content === 'string' ? Buffer.from(options.content) : options.content;
  if (await isCurrent(path, content, options)) return 'unchanged';
  const tmp = join(dirname(path), `.${basename(path)}.lanctl-${randomBytes(6).toString('hex')}`);
  try {
    await writeTemp(tmp, content, options);
    if (options.validate) await options.validate(tmp);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => {});
    throw new ApplyFileError(`${path}: not replaced: ${describe(e)}`, path, false, { cause: e });
  }
  try {
    await syncDirectory(dirname(path));
    await options.onChanged?.();
  } catch (e) {
    throw new ApplyFileError(`${path}: written, but then: ${describe(e)}`, path, true, {
      cause: e,
    });
  }
  return 'written';
}

/** The file exists with these bytes, this mode and (when asked for) this owner. */
async function isCurrent(path: string, content: Buffer, o: ApplyFileOptions): Promise<boolean> {
  let current: Buffer;
  try {
    current = await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new ApplyFileError(`${path}: cannot read the current file: ${describe(e)}`, path, false, {
      cause: e,
    });
  }
  if (!current.equals(content)) return false;
  const st = await stat(path);
  if ((st.mode & 0o7777) !== o.mode) return false;
  return !o.owner || (st.uid === o.owner.uid && st.gid === o.owner.gid);
}

async function writeTemp(tmp: string, content: Buffer, o: ApplyFileOptions): Promise<void> {
  // 'wx': never follow or reuse an existing path; 0600 until the content is complete and owned.
  const fh: FileHandle = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(content);
    if (o.owner) await fh.chown(o.owner.uid, o.owner.gid);
    await fh.chmod(o.mode);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** What one render of a generator says: its result, and why when it did not succeed. */
export interface RenderOutcome {
  result: string;
  reason?: string;
}

export interface RenderLoop<I, O extends RenderOutcome> {
  /** Renders `input` (pass a copy: it is kept for re-renders) after any render in progress. */
  submit(input: I, revision: number): Promise<void>;
  /** The last render's outcome; null before the first. */
  readonly last: O | null;
  /** Revision of the input the output last matched; null before the first success. */
  readonly appliedRevision: number | null;
  /** The last render succeeded (news that changes nothing for this generator may be skipped). */
  readonly healthy: boolean;
  /** Starts re-rendering the last input every `reapplyMs`. */
  start(): void;
  /** Stops the re-renders and waits for a render in progress. */
  stop(): Promise<void>;
}

/**
 * Runs a generator's renders one at a time, in order: on each `submit`, and every `reapplyMs`
 * again with the last input (0: never), which retries after a refused or failed write and undoes
 * hand edits of generated output. `render` reports its outcome and does not throw (a throw is
 * recorded as `{result: 'failed'}`).
 */
export function createRenderLoop<I, O extends RenderOutcome>(options: {
  render: (input: I) => Promise<O>;
  succeeded: (outcome: O) => boolean;
  reapplyMs: number;
}): RenderLoop<I, O> {
  let running: Promise<void> = Promise.resolve();
  let pending = 0;
  let last: O | null = null;
  let applied: number | null = null;
  let latest: { input: I; revision: number } | null = null;
  let timer: NodeJS.Timeout | undefined;
  const submit = (input: I, revision: number): Promise<void> => {
    latest = { input, revision };
    pending++;
    running = running.then(async () => {
      try {
        last = await options.render(input);
      } catch (e) {
        last = { result: 'failed', reason: describe(e) } as O;
      } finally {
        pending--;
      }
      if (options.succeeded(last)) applied = revision;
    });
    return running;
  };
  return {
    submit,
    get last() {
      return last;
    },
    get appliedRevision() {
      return applied;
    },
    get healthy() {
      return last !== null && options.succeeded(last);
    },
    start() {
      if (options.reapplyMs <= 0 || timer) return;
      timer = setInterval(() => {
        if (pending === 0 && latest) void submit(latest.input, latest.revision);
      }, options.reapplyMs);
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await running;
    },
  };
}

/** What a generator follows: in production `createSyncClient` of `@lanctl/sync`. */
export interface RecordStream {
  start(): void;
  stop(): Promise<void>;
  readonly connected: boolean;
  /** Revision of the state held. */
  readonly revision: number;
}

/** Hands a batch's state on; `news`: false when nothing the generator reads changed. */
export type OnRecords<R> = (
  state: ReadonlyMap<string, R>,
  news: boolean,
  revision: number,
) => Promise<void> | undefined;

export interface GeneratorStatus extends HealthReport {
  connected: boolean;
  /** Revision of the state held (from upstream or a state file). */
  revision: number;
  /** Revision the output last matched; null before the first success. */
  applied_revision: number | null;
  last_result: string | null;
  last_error: string | null;
}

export interface GeneratorService {
  /** /healthz and /metrics. */
  app: Express;
  start(): Promise<Listening>;
  stop(): Promise<void>;
  status(): GeneratorStatus;
}

export interface GeneratorServiceOptions<R, O extends RenderOutcome> {
  /** Metric prefix `lanctl_<service>_` and log field. */
  service: string;
  logger: Logger;
  metrics: Registry;
  listen: { host: string; port: number };
  /** One render from all records (a copy): render, then `applyFile` the output. */
  render: (records: R[]) => Promise<O>;
  succeeded: (outcome: O) => boolean;
  reapplyMs: number;
  /** Builds the subscription, which calls `onRecords` on each batch; started by `start()`. */
  subscribe: (onRecords: OnRecords<R>) => RecordStream;
  /** Extra fields of the "listening" log line. */
  describe?: Record<string, unknown>;
}

/**
 * A service that keeps generated files in step with a stream of records (SADM's sync clients):
 * renders on news, skips batches without any while the last render succeeded, re-renders every
 * `reapplyMs`, and serves /healthz (200 while connected and the last render succeeded) and
 * /metrics, with `lanctl_<service>_stream_connected` and `lanctl_<service>_applied_revision`.
 */
export function createGeneratorService<R, O extends RenderOutcome>(
  options: GeneratorServiceOptions<R, O>,
): GeneratorService {
  const { service, logger, metrics } = options;
  const loop = createRenderLoop<R[], O>(options);
  const stream = options.subscribe((state, news, revision) => {
    if (!news && loop.healthy) return undefined;
    return loop.submit([...state.values()], revision);
  });
  const prefix = `lanctl_${service.replace(/-/g, '_')}`;
  new Gauge({
    name: `${prefix}_stream_connected`,
    help: '1 while the stream is connected',
    registers: [metrics],
    collect() {
      this.set(stream.connected ? 1 : 0);
    },
  });
  new Gauge({
    name: `${prefix}_applied_revision`,
    help: 'Stream revision the output last matched (0: none yet)',
    registers: [metrics],
    collect() {
      this.set(loop.appliedRevision ?? 0);
    },
  });
  const status = (): GeneratorStatus => ({
    ok: stream.connected && loop.healthy,
    connected: stream.connected,
    revision: stream.revision,
    applied_revision: loop.appliedRevision,
    last_result: loop.last?.result ?? null,
    last_error: loop.healthy ? null : (loop.last?.reason ?? null),
  });
  const app = createHttpApp({ service, logger, metrics, health: status, mount: () => {} });
  let listening: Listening | undefined;
  return {
    app,
    status,
    async start() {
      listening = await listen(app, options.listen.host, options.listen.port);
      stream.start();
      loop.start();
      logger.info('listening', { url: listening.url, ...options.describe });
      return listening;
    },
    async stop() {
      await stream.stop();
      await loop.stop();
      await listening?.close();
    },
  };
}
