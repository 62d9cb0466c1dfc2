import { mkdir } from 'node:fs/promises';
import {
  createHttpApp,
  createRenderLoop,
  type HealthReport,
  type Listening,
  type Logger,
  listen,
  type Registry,
  type RenderLoop,
} from '@lanctl/core';
import type { Machine } from '@lanctl/model';
import type { SyncClientOptions } from '@lanctl/sync';
import { type ApplyOutcome, createApplier } from './applier.ts';
import { type CommandRunner, commandRunner } from './commands.ts';
import type { ConfgenConfig } from './config.ts';
import { enabledOutputs, type OutputName, type SiteState } from './site.ts';
import { followSite, type SiteStreams } from './streams.ts';

export { type ApplyOutcome, createApplier, type OutputStatus } from './applier.ts';
export { applyOutput, diffOutput, type OutputResult } from './apply.ts';
export { type Command, type CommandRunner, commandRunner, expand } from './commands.ts';
export { type ConfgenConfig, confgenConfigSchema, DEFAULT_CONFGEN_PORT } from './config.ts';
export { unifiedDiff } from './diff.ts';
export {
  enabledOutputs,
  OUTPUTS,
  type OutputName,
  type OutputPlan,
  planOutputs,
  type SiteState,
} from './site.ts';

export interface ConfgenDeps {
  logger: Logger;
  metrics: Registry;
  /** The bearer token for mdb's streams, called at every connection (main reads `token_file`). */
  token: () => string;
  now?: () => Date;
  /** Runs check and reload commands (default: execFile bounded by `command_timeout_seconds`). */
  run?: CommandRunner;
  backoff?: SyncClientOptions<Machine>['backoff'];
}

export interface ConfgenService {
  /** /healthz and /metrics. */
  app: ReturnType<typeof createHttpApp>;
  start(): Promise<Listening>;
  stop(): Promise<void>;
  status(): ConfgenStatus;
}

export interface ConfgenStatus extends HealthReport {
  connected: Record<string, boolean>;
  /** Every stream has a state (from mdb or its state file). */
  ready: boolean;
  last_result: string | null;
  last_error: string | null;
  outputs: ApplyOutcome['outputs'];
}

/** Fails fast (STYLE rule 8): the deps and at least one output; the enabled outputs. */
function checkSetup(config: ConfgenConfig, deps: ConfgenDeps): OutputName[] {
  if (!deps.logger || !deps.metrics) {
    throw new Error('confgen: deps.logger and deps.metrics are required');
  }
  if (typeof deps.token !== 'function') throw new Error('confgen: deps.token must be a function');
  const outputs = enabledOutputs(config);
  if (outputs.length === 0) {
    throw new Error('confgen: no output enabled (kea, dnsmasq, dhcpd, bind: set enabled: true)');
  }
  return outputs;
}

function statusOf(
  site: SiteStreams,
  loop: RenderLoop<SiteState, ApplyOutcome>,
  outputs: ApplyOutcome['outputs'],
): ConfgenStatus {
  const connected = site.connected();
  const ready = site.ready;
  return {
    ok: Object.values(connected).every(Boolean) && loop.healthy,
    connected,
    ready,
    last_result: loop.last?.result ?? null,
    last_error: loop.healthy ? null : (loop.last?.reason ?? (ready ? null : 'no state yet')),
    outputs: { ...outputs },
  };
}

/**
 * The config generator daemon (SADM's mdbdhcp + mdbdns): follows mdb's `machines` stream (and
 * `pools` when BIND is enabled), and after each burst of news (quiet for `debounce_ms`) renders
 * every enabled output and applies the files that changed. Binds nothing until `start()`.
 */
export function create(config: ConfgenConfig, deps: ConfgenDeps): ConfgenService {
  const outputs = checkSetup(config, deps);
  const { logger, metrics } = deps;
  const now = deps.now ?? (() => new Date());
  const run = deps.run ?? commandRunner(config.command_timeout_seconds * 1000);
  const applier = createApplier(config, { logger, metrics, run, now });
  const loop = createRenderLoop<SiteState, ApplyOutcome>({
    render: (state) => applier.apply(state),
    succeeded: (o) => o.result === 'ok',
    reapplyMs: config.reapply_seconds * 1000,
  });
  let timer: NodeJS.Timeout | undefined;
  let batches = 0;
  const site = followSite({
    config,
    logger,
    metrics,
    token: deps.token,
    backoff: deps.backoff,
    pools: outputs.includes('bind'),
    onBatch(news) {
      if (!news && loop.healthy) return;
      // A burst of batches makes one render, `debounce_ms` after the last one.
      batches++;
      clearTimeout(timer);
      timer = setTimeout(() => {
        if (site.ready) void loop.submit(site.state(), batches); // every table once, then render
      }, config.debounce_ms);
    },
  });
  const status = () => statusOf(site, loop, applier.status);
  const app = createHttpApp({
    service: 'confgen',
    logger,
    metrics,
    health: status,
    mount: () => {},
  });
  let listening: Listening | undefined;
  return {
    app,
    status,
    async start() {
      await mkdir(config.state_dir, { recursive: true, mode: 0o700 });
      listening = await listen(app, config.listen.host, config.listen.port);
      site.start();
      loop.start();
      logger.info('listening', { url: listening.url, upstream: config.upstream, outputs });
      return listening;
    },
    async stop() {
      clearTimeout(timer);
      await site.stop();
      await loop.stop();
      await applier.flush();
      await listening?.close();
    },
  };
}
export {
  diffOnce,
  type OneShotResult,
  plansAsText,
  renderOnce,
  retarget,
  summarize,
} from './one-shot.ts';
