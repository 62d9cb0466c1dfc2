/**
 * Shared by the network benchmarks (bench:dhcp, bench:propagation): a throwaway LAN in network
 * namespaces that is torn down on exit, Ctrl-C and SIGTERM, and `lanctl serve <name>` started
 * inside it with its `listening` log line awaited. Needs root (as the namespace tests do).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
// By path: the testkit's index also exports vitest helpers, which load only under vitest.
import {
  createTestLan,
  type NetnsProcess,
  spawnGroup,
  type TestLan,
  type TestLanOptions,
} from '../../../packages/testkit/src/netns.ts';
import { REPO } from '../server.ts';
import { isListening, waitForLine } from './log-lines.ts';

export const LANCTL_BIN = join(REPO, 'cli/bin/lanctl');

/** What `spawnHere` started, stopped with the LAN (they are not in its namespaces). */
const here = new Set<NetnsProcess>();

/**
 * A LAN closed at most once, with what `spawnHere` started: by `close()`, or on SIGINT/SIGTERM
 * (then the process exits 130).
 */
export function benchLan(options: TestLanOptions): TestLan {
  const lan = createTestLan(options);
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= Promise.all([...here].map(stopProcess)).then(() => lan.close());
    return closing;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\n${signal}: removing the benchmark's namespaces\n`);
    void close().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    ...lan,
    close: async () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await close();
    },
  };
}

export interface Served {
  process: NetnsProcess;
  /** The `listening` log line's fields (url, and whatever else the service logs there). */
  listening: Record<string, unknown>;
  stop(): Promise<void>;
}

/** Like `lan.spawn`, in this process's own (root) namespace: a process group, output kept. */
export function spawnHere(argv: string[], env: NodeJS.ProcessEnv = process.env): NetnsProcess {
  const handle = spawnGroup(argv, env);
  here.add(handle);
  void handle.exited.then(() => here.delete(handle));
  return handle;
}

export interface ServeOptions {
  name: string;
  configFile: string;
  dir: string;
  timeoutS: number;
  /** Extra environment, e.g. LANCTL_LOG_LEVEL. */
  env?: Record<string, string>;
  /** Ready when this URL (its /healthz) answers 200, instead of on the `listening` log line. */
  healthUrl?: string;
  /** Node flags (e.g. --cpu-prof): runs what cli/bin/lanctl execs, with them. */
  nodeArgs?: string[];
}

const READY_MS = 30_000;

/**
 * `lanctl serve <name> --config FILE` under `timeout`, in namespace `ns` (null: this process's
 * own), its output copied to `dir/<name>.log`; resolves once it is ready (see ServeOptions).
 */
export async function serveIn(
  lan: TestLan,
  ns: string | null,
  options: ServeOptions,
): Promise<Served> {
  const log: WriteStream = createWriteStream(join(options.dir, `${options.name}.log`));
  const launcher = options.nodeArgs
    ? [
        'node',
        ...options.nodeArgs,
        '--import',
        `file://${join(REPO, 'cli/node_modules/tsx/dist/loader.mjs')}`,
        join(REPO, 'cli/src/main.ts'),
      ]
    : [LANCTL_BIN];
  const argv = [
    'timeout',
    String(options.timeoutS),
    ...launcher,
    'serve',
    options.name,
    '--config',
    options.configFile,
  ];
  const env = { ...process.env, ...options.env };
  const child = ns === null ? spawnHere(argv, env) : lan.spawn(ns, argv, { env });
  child.child.stdout?.pipe(log);
  child.child.stderr?.pipe(log);
  const ready = options.healthUrl
    ? waitHealthy(child, options.healthUrl).then(() => ({}))
    : waitForLine(child, READY_MS, (entry) => (isListening(entry) ? entry : undefined));
  const listening = await ready.catch((error: Error) => {
    void child.kill('SIGKILL');
    throw new Error(`${options.name}: ${error.message}; log in ${options.dir}`);
  });
  return { process: child, listening, stop: () => stopProcess(child) };
}

async function waitHealthy(child: NetnsProcess, url: string): Promise<void> {
  const deadline = Date.now() + READY_MS;
  for (;;) {
    if (child.child.exitCode !== null || child.child.signalCode !== null)
      throw new Error(`exited: ${child.output().slice(-2000)}`);
    const status = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
      (res) => res.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline)
      throw new Error(`${url} not 200 within ${READY_MS} ms (last ${status})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGTERM, then SIGKILL after 10 s. */
export async function stopProcess(child: NetnsProcess): Promise<void> {
  const force = setTimeout(() => void child.kill('SIGKILL'), 10_000);
  await child.kill('SIGTERM');
  clearTimeout(force);
}
