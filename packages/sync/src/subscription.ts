import type { OnRecords } from '@lanctl/core';
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
