import {
  createGeneratorService,
  type GeneratorService,
  type Logger,
  type OnRecords,
  type Registry,
  type RenderOutcome,
} from '@lanctl/core';
import { createSyncClient, type SyncClient, type SyncClientOptions } from './client.ts';

/**
 * A stream subscription for a generator service (`createGeneratorService` in @lanctl/core):
 * the same client for every table and consumer, reporting whether a batch brought news.
 */
export function recordSubscription<R>(
  options: Omit<SyncClientOptions<R>, 'onUpdate'>,
): (onRecords: OnRecords<R>) => SyncClient<R> {
  return (onRecords) =>
    createSyncClient<R>({
      ...options,
      onUpdate: (state, meta, info) => {
        const news =
          info.snapshot || meta.created.length + meta.updated.length + meta.deleted.length > 0;
        return onRecords(state, news, info.revision);
      },
    });
}

/** What a stream-following file writer needs from its config (passwd, rootssh). */
export interface StreamWriterConfig {
  upstream: string;
  state_file: string;
  listen: { host: string; port: number };
  reapply_seconds: number;
}

export interface StreamWriterDeps<R> {
  logger: Logger;
  metrics: Registry;
  /** The bearer token for the stream, called at every connection (main reads `token_file`). */
  token: () => string;
  /** Reconnection back-off of the stream (tests shorten it). */
  backoff?: SyncClientOptions<R>['backoff'];
}

/** Fails fast (STYLE rule 8), naming the missing dependency. */
export function requireStreamWriterDeps<R>(service: string, deps: StreamWriterDeps<R>): void {
  if (!deps?.logger || !deps.metrics) {
    throw new Error(`${service}: deps.logger and deps.metrics are required`);
  }
  if (typeof deps.token !== 'function')
    throw new Error(`${service}: deps.token must be a function`);
}

/**
 * A generator service (`createGeneratorService`) fed by one stream table: the wiring every
 * file writer shares, checked once here. `apply` renders and writes; an outcome of `written` or
 * `unchanged` is a success.
 */
export function createStreamWriter<R, O extends RenderOutcome>(options: {
  service: string;
  table: string;
  /** Fields whose change is news (SADM's `watch`). */
  watch: (keyof R)[];
  config: StreamWriterConfig;
  deps: StreamWriterDeps<R>;
  apply: (records: R[]) => Promise<O>;
  describe: Record<string, unknown>;
}): GeneratorService {
  const { service, config, deps } = options;
  if (!deps?.logger || !deps.metrics) {
    throw new Error(`${service}: deps.logger and deps.metrics are required`);
  }
  if (typeof deps.token !== 'function')
    throw new Error(`${service}: deps.token must be a function`);
  return createGeneratorService<R, O>({
    service,
    logger: deps.logger,
    metrics: deps.metrics,
    listen: config.listen,
    render: options.apply,
    succeeded: (o) => o.result === 'written' || o.result === 'unchanged',
    reapplyMs: config.reapply_seconds * 1000,
    describe: { upstream: config.upstream, ...options.describe },
    subscribe: recordSubscription<R>({
      baseUrl: config.upstream,
      table: options.table,
      token: deps.token,
      stateFile: config.state_file,
      watch: options.watch,
      logger: deps.logger,
      backoff: deps.backoff,
    }),
  });
}
