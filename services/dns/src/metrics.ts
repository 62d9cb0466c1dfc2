import { Counter, Gauge, Histogram, type Registry } from '@lanctl/core';
import { RRType, rcodeName } from '@lanctl/dns-wire';

export type DropReason =
  | 'too-short'
  | 'response'
  | 'malformed'
  | 'tcp-frame'
  | 'tcp-limit'
  | 'encode-failed'
  | 'send-failed';

const TYPES = new Map<number, string>(Object.entries(RRType).map(([name, code]) => [code, name]));

/** `lanctl_dns_queries_total`, fed from plain tallies at each scrape. */
function queryCounter(registry: Registry) {
  const tally = new Map<string, number>();
  new Counter({
    name: 'lanctl_dns_queries_total',
    help: 'Queries answered, by view, query type, response code and transport',
    labelNames: ['view', 'type', 'rcode', 'transport'],
    registers: [registry],
    collect() {
      for (const [key, n] of tally) {
        const [view, type, rcode, transport] = key.split('|') as [string, string, string, string];
        this.inc({ view, type, rcode, transport }, n);
      }
      tally.clear();
    },
  });
  return (view: string, qtype: number, rcode: number, transport: 'udp' | 'tcp', n = 1): void => {
    const key = `${view}|${TYPES.get(qtype) ?? 'other'}|${rcodeName(rcode)}|${transport}`;
    tally.set(key, (tally.get(key) ?? 0) + n);
  };
}

/**
 * The DNS metrics. The hot path only bumps plain numbers; prom-client counters are brought up to
 * date when /metrics is scraped (label lookups per query would cost more than the answer).
 */
export function createDnsMetrics(registry: Registry, upstreamIsConnected: () => boolean) {
  const query = queryCounter(registry);
  const drops = new Counter({
    name: 'lanctl_dns_drops_total',
    help: 'Packets dropped without an answer, by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  const forwarded = new Counter({
    name: 'lanctl_dns_forwarded_total',
    help: 'Queries sent to the upstream resolvers, by outcome (answer, timeout, bad-response)',
    labelNames: ['result'],
    registers: [registry],
  });
  const cacheHits = new Counter({
    name: 'lanctl_dns_cache_hits_total',
    help: 'Forwarded names answered from the cache',
    registers: [registry],
  });
  new Gauge({
    name: 'lanctl_dns_upstream_connected',
    help: "1 while both of mdb's streams (machines, pools) are connected",
    registers: [registry],
    collect() {
      this.set(upstreamIsConnected() ? 1 : 0);
    },
  });
  const rebuild = new Histogram({
    name: 'lanctl_dns_zone_rebuild_seconds',
    help: 'Time to rebuild and index every zone after a stream batch',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const records = new Gauge({
    name: 'lanctl_dns_zone_records',
    help: 'Records served, every view',
    registers: [registry],
  });
  const tcpConnections = new Gauge({
    name: 'lanctl_dns_tcp_connections',
    help: 'Open TCP connections',
    registers: [registry],
  });
  return {
    query,
    drop: (reason: DropReason, n = 1) => drops.inc({ reason }, n),
    forwarded: (result: string, n = 1) => forwarded.inc({ result }, n),
    cacheHit: (n = 1) => cacheHits.inc(n),
    rebuild,
    records,
    tcpConnections,
  };
}

export type DnsMetrics = ReturnType<typeof createDnsMetrics>;

/** What the sockets and the responder count (a cluster worker forwards these to the primary). */
export interface AnswerMetrics {
  query(view: string, qtype: number, rcode: number, transport: 'udp' | 'tcp'): void;
  drop(reason: DropReason): void;
  forwarded(result: string): void;
  cacheHit(): void;
  tcpConnections: { inc(): void; dec(): void };
}
