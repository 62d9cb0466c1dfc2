import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { REASONS, type Reason } from './state.ts';

export interface PresenceMetrics {
  refused(reason: Reason): void;
  heartbeatRefused(reason: Reason): void;
  decision(seconds: number): void;
}

/** SADM's `presencesync_login_failed` without its `user` label (one series per user is too many). */
export function createPresenceMetrics(registry: Registry, sessions: () => number): PresenceMetrics {
  const failed = new Counter({
    name: 'lanctl_presence_login_failed_total',
    help: 'Logins refused, by SADM reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  for (const reason of REASONS) failed.inc({ reason }, 0);
  new Gauge({
    name: 'lanctl_presence_sessions',
    help: 'Sessions (login on a machine) currently held',
    registers: [registry],
    collect() {
      this.set(sessions());
    },
  });
  const heartbeats = new Counter({
    name: 'lanctl_presence_heartbeat_refused_total',
    help: 'Heartbeats refused (a session they would create or move breaks a login rule), by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'lanctl_presence_decision_seconds',
    help: 'Time to decide a login request',
    buckets: [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05],
    registers: [registry],
  });
  return {
    refused: (reason) => failed.inc({ reason }),
    heartbeatRefused: (reason) => heartbeats.inc({ reason }),
    decision: (seconds) => latency.observe(seconds),
  };
}
