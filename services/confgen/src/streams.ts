import { join } from 'node:path';
import { Gauge, type Logger, type Registry } from '@lanctl/core';
import type { Machine, Pool } from '@lanctl/model';
import { createSyncClient, type SyncClient, type SyncClientOptions } from '@lanctl/sync';
import type { ConfgenConfig } from './config.ts';
import type { SiteState } from './site.ts';

/** What a machine's outputs depend on; other fields (rfs, hfs, timestamps) bring no news. */
const MACHINE_FIELDS: (keyof Machine)[] = [
  'hostname',
  'aliases',
  'ip',
  'mac',
  'mtype',
  'room',
  'is_faulty',
];

export interface SiteStreamsOptions {
  config: ConfgenConfig;
  logger: Logger;
  metrics: Registry;
  token: () => string;
  backoff?: SyncClientOptions<Machine>['backoff'];
  /** Follow `pools` too (BIND's reverse zones). */
  pools: boolean;
  /** A batch came; `news`: something an output reads changed (or it is a snapshot). */
  onBatch(news: boolean): void;
}

export interface SiteStreams {
  /** Every table has a state (from mdb or its state file). */
  readonly ready: boolean;
  connected(): Record<string, boolean>;
  /** A copy of the state held. */
  state(): SiteState;
  start(): void;
  stop(): Promise<void>;
}

/**
 * mdb's `machines` (and `pools`) streams, each with its state file in `state_dir` (the last good
 * state, served while mdb is down), reporting each batch and whether it brought news.
 */
export function followSite(o: SiteStreamsOptions): SiteStreams {
  const hasState = new Set<string>();
  const follow = <R>(table: string, watch: (keyof R)[]): SyncClient<R> =>
    createSyncClient<R>({
      baseUrl: o.config.upstream,
      table,
      token: o.token,
      stateFile: join(o.config.state_dir, `${table}.json`),
      watch,
      logger: o.logger,
      backoff: o.backoff,
      onUpdate: (_state, meta, info) => {
        hasState.add(table);
        const changes = meta.created.length + meta.updated.length + meta.deleted.length;
        o.onBatch(info.snapshot || changes > 0);
      },
    });
  const machines = follow<Machine>('machines', MACHINE_FIELDS);
  const pools = o.pools ? follow<Pool>('pools', ['name', 'network']) : null;
  const streams = { machines, ...(pools ? { pools } : {}) } as Record<string, SyncClient<unknown>>;
  new Gauge({
    name: 'lanctl_confgen_stream_connected',
    help: '1 while the stream of a table is connected',
    labelNames: ['table'],
    registers: [o.metrics],
    collect() {
      for (const [table, s] of Object.entries(streams)) this.set({ table }, s.connected ? 1 : 0);
    },
  });
  return {
    get ready() {
      return hasState.size === Object.keys(streams).length;
    },
    connected: () => Object.fromEntries(Object.entries(streams).map(([k, s]) => [k, s.connected])),
    state: () => ({
      machines: [...machines.state.values()],
      pools: pools ? [...pools.state.values()] : [],
    }),
    start() {
      for (const s of Object.values(streams)) s.start();
    },
    async stop() {
      for (const s of Object.values(streams)) await s.stop();
    },
  };
}
