import { Counter, Gauge, Histogram, type Registry } from '@lanctl/core';

export interface DhcpMetrics {
  received: Counter<'type'>;
  sent: Counter<'type'>;
  dropped: Counter<'reason'>;
  broadcastFallback: Counter;
  decision: Histogram;
}

export interface GaugeSources {
  activeLeases: () => number;
  upstreamConnected: () => boolean;
  /** Seconds since the machine table was last known current; null: no table. */
  tableAgeSeconds: () => number | null;
  machines: () => number | null;
}

/** The `lanctl_dhcp_*` metrics, registered in the registry passed in deps. */
export function createDhcpMetrics(registry: Registry, sources: GaugeSources): DhcpMetrics {
  const registers = [registry];
  registerGauges(registers, sources);
  return {
    received: new Counter({
      name: 'lanctl_dhcp_received_total',
      help: 'DHCP requests received, by message type',
      labelNames: ['type'],
      registers,
    }),
    sent: new Counter({
      name: 'lanctl_dhcp_sent_total',
      help: 'DHCP replies sent, by message type',
      labelNames: ['type'],
      registers,
    }),
    dropped: new Counter({
      name: 'lanctl_dhcp_dropped_total',
      help: 'Packets dropped or requests ignored, by reason',
      labelNames: ['reason'],
      registers,
    }),
    broadcastFallback: new Counter({
      name: 'lanctl_dhcp_broadcast_fallback_total',
      help: 'Times 255.255.255.255 was unreachable and the directed broadcast address was used',
      registers,
    }),
    decision: new Histogram({
      name: 'lanctl_dhcp_decision_duration_seconds',
      help: 'Time to classify and decide one request (no I/O)',
      buckets: [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01],
      registers,
    }),
  };
}

/** Gauges read at scrape time. */
function registerGauges(registers: Registry[], sources: GaugeSources): void {
  new Gauge({
    name: 'lanctl_dhcp_leases_active',
    help: 'Dynamic and fixed leases not expired (offers held included)',
    registers,
    collect() {
      this.set(sources.activeLeases());
    },
  });
  new Gauge({
    name: 'lanctl_dhcp_upstream_connected',
    help: '1 while the machines stream from mdb is connected',
    registers,
    collect() {
      this.set(sources.upstreamConnected() ? 1 : 0);
    },
  });
  new Gauge({
    name: 'lanctl_dhcp_machine_table_age_seconds',
    help: 'Seconds since the machine table was last known current (0 while connected; -1: none)',
    registers,
    collect() {
      this.set(sources.tableAgeSeconds() ?? -1);
    },
  });
  new Gauge({
    name: 'lanctl_dhcp_machines',
    help: 'Known machines (by MAC) in the table served',
    registers,
    collect() {
      this.set(sources.machines() ?? 0);
    },
  });
}
