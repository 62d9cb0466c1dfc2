import type { Logger } from '@lanctl/core';
import {
  type ChangeEvent,
  createSyncClient,
  Hub,
  type StreamEvent,
  type SyncClient,
  type SyncClientOptions,
} from '@lanctl/sync';

export interface RelayedTableOptions {
  table: string;
  upstream: string;
  token: () => string;
  stateFile: string;
  ringSize: number;
  logger: Logger;
  backoff?: SyncClientOptions<unknown>['backoff'];
  idleTimeoutMs?: number;
}

export interface TableStatus {
  /** A state is held (from the state file or upstream): subscribers are served. */
  ready: boolean;
  /** The upstream stream is open. */
  connected: boolean;
  revision: number;
  subscribers: number;
  /** Upstream snapshots that replaced a state already served (subscribers got a reset). */
  resets: number;
  /** Upstream connection attempts after the first. */
  reconnects: number;
}

/**
 * One relayed table: a resuming subscription to the upstream (its state file included) feeding
 * a hub of that table alone. A hub per table, because each upstream stream carries its own
 * subset of revisions: one hub for two streams would drop the older of two interleaved changes.
 */
export class RelayedTable {
  readonly hub: Hub;
  readonly client: SyncClient<unknown>;
  private resetCount = 0;

  constructor(private readonly options: RelayedTableOptions) {
    const { table, logger } = options;
    this.hub = new Hub({ tables: [table], logger, ringSize: options.ringSize });
    this.client = createSyncClient<unknown>({
      baseUrl: options.upstream,
      table,
      token: options.token,
      stateFile: options.stateFile,
      logger,
      backoff: options.backoff,
      idleTimeoutMs: options.idleTimeoutMs,
      onEvents: (events) => this.feed(events),
      onUpdate: () => {},
    });
  }

  get table(): string {
    return this.options.table;
  }

  status(): TableStatus {
    const { connected, reconnects } = this.client.status;
    return {
      ready: this.hub.ready,
      connected,
      revision: this.hub.revision,
      subscribers: this.hub.subscriberCount(),
      resets: this.resetCount,
      reconnects,
    };
  }

  /** Snapshots reset the hub (subscribers then get a reset snapshot); changes are applied in order. */
  private feed(events: StreamEvent[]): void {
    let changes: ChangeEvent[] = [];
    const flush = () => {
      if (changes.length > 0) this.hub.apply(changes);
      changes = [];
    };
    for (const event of events) {
      if (event.type === 'change') {
        changes.push(event.data);
        continue;
      }
      flush();
      if (this.hub.ready) {
        this.resetCount++;
        this.options.logger.warn(
          `relay ${this.table}: upstream sent a snapshot, subscribers reset`,
          {
            table: this.table,
            revision: event.data.revision,
          },
        );
      }
      this.hub.reset(event.data.revision, { [this.table]: event.data.items });
    }
    flush();
  }
}
