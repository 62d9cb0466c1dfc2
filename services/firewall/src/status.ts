import type { HealthReport } from '@lanctl/core';
import { allowedAddresses, contestModeOf, effectiveGroups } from './allowed.ts';
import type { Applier } from './applier.ts';
import type { Backend } from './backend.ts';
import type { FirewallConfig } from './config.ts';
import type { FirewallView } from './http.ts';
import type { Sources } from './sources.ts';

/** The wanted set from the followed tables: `allowedAddresses` with contest mode from settings. */
export function wantedSet(sources: Sources, config: Pick<FirewallConfig, 'allowed_groups'>) {
  const contestMode = contestModeOf(sources.state('settings').values());
  const allowed = allowedAddresses({
    machines: sources.state('machines').values(),
    users: sources.state('users').values(),
    sessions: sources.state('presence').values(),
    contestMode,
    allowedGroups: config.allowed_groups,
  });
  return { contestMode, allowed };
}

/** What `GET /api/v1/firewall` answers (no addresses while a table is still awaited). */
export function viewOf(
  sources: Sources,
  applier: Applier,
  backend: Backend,
  config: Pick<FirewallConfig, 'allowed_groups'>,
): FirewallView {
  const waiting = sources.waitingFor();
  const { contestMode, allowed } = wantedSet(sources, config);
  return {
    backend: backend.name,
    set: backend.target,
    contest_mode: contestMode,
    allowed_groups: effectiveGroups(config.allowed_groups, contestMode),
    waiting_for: waiting,
    addresses: waiting.length > 0 ? [] : [...allowed].map(([ip, reason]) => ({ ip, reason })),
    last_apply: applier.status(),
  };
}

/** Healthy: every stream up, every table received, the last replacement succeeded. */
export function healthOf(sources: Sources, applier: Applier): HealthReport {
  const up = sources.allConnected();
  const waiting = sources.waitingFor();
  const last = applier.status();
  return {
    ok: up && waiting.length === 0 && last.result !== 'failure',
    degraded: !up,
    upstream: sources.status(),
    waiting_for: waiting,
    last_apply: last,
  };
}
