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

/**
 * What `GET /api/v1/firewall` answers (no addresses while a table is still awaited): the addresses
 * the set holds, and those allowed but left out because the set cannot hold them.
 */
export function viewOf(
  sources: Sources,
  applier: Applier,
  backend: Backend,
  config: Pick<FirewallConfig, 'allowed_groups'>,
): FirewallView {
  const waiting = sources.waitingFor();
  const { contestMode, allowed } = wantedSet(sources, config);
  const { skipped } = backend.screen(waiting.length > 0 ? [] : [...allowed.keys()]);
  const left = new Map(skipped.map((s) => [s.ip, s]));
  const listed = waiting.length > 0 ? [] : [...allowed];
  return {
    backend: backend.name,
    set: backend.target,
    contest_mode: contestMode,
    allowed_groups: effectiveGroups(config.allowed_groups, contestMode),
    waiting_for: waiting,
    addresses: listed.filter(([ip]) => !left.has(ip)).map(([ip, reason]) => ({ ip, reason })),
    skipped: listed.flatMap(([ip, reason]) => {
      const s = left.get(ip);
      return s ? [{ ip, reason, skip_reason: s.reason, detail: s.detail }] : [];
    }),
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
