import { Counter, Gauge, type Registry } from '@lanctl/core';

export interface PresencedMetrics {
  rounds: Counter<string>;
  sent: Counter<string>;
  failed: Counter<'reason'>;
  skipped: Counter<'reason'>;
  managedUsers: Gauge<string>;
  lastSuccess: Gauge<string>;
}

/** `lanctl_presenced_*`, registered in the registry given (nothing global). */
export function createPresencedMetrics(registry: Registry): PresencedMetrics {
  return {
    rounds: new Counter({
      name: 'lanctl_presenced_rounds_total',
      help: 'Heartbeat rounds run (utmp read, users checked, heartbeat sent or not)',
      registers: [registry],
    }),
    sent: new Counter({
      name: 'lanctl_presenced_heartbeats_sent_total',
      help: 'Heartbeats presence accepted',
      registers: [registry],
    }),
    failed: new Counter({
      name: 'lanctl_presenced_heartbeats_failed_total',
      help: 'Heartbeat rounds that failed, by reason (utmp, passwd, unreachable, timeout, http status code)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    skipped: new Counter({
      name: 'lanctl_presenced_heartbeats_skipped_total',
      help: 'Rounds with no heartbeat although users were logged in (several_users)',
      labelNames: ['reason'],
      registers: [registry],
    }),
    managedUsers: new Gauge({
      name: 'lanctl_presenced_managed_users',
      help: 'Managed users logged in at the last round',
      registers: [registry],
    }),
    lastSuccess: new Gauge({
      name: 'lanctl_presenced_last_success_timestamp_seconds',
      help: 'When presence last accepted a heartbeat (0: never)',
      registers: [registry],
    }),
  };
}
