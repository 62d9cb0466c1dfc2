import type { StreamState } from './use-table-stream.ts';

const TEXT: Record<StreamState, string> = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'updates lost, reconnecting (showing the last state)',
};

/** Says whether what the view shows follows the server, next to the view's title. */
export function StreamStateBadge({ state }: { state: StreamState }) {
  return (
    <span
      className={`stream-state ${state}`}
      role="status"
      title="changes made by others show here as they happen"
    >
      {TEXT[state]}
    </span>
  );
}
