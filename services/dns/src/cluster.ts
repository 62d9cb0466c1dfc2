/**
 * `workers: N > 1`: N answering processes (Node's cluster module: the primary owns the UDP and
 * TCP sockets and shares them, the kernel spreads the datagrams). The primary keeps the streams,
 * the zones, the serials and the HTTP port; it sends each worker the tables after every rebuild,
 * and each worker sends back what it counted. Only for `lanctl serve dns` (a fork re-runs the
 * same command line, with LANCTL_WORKER_OF=dns).
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '@lanctl/core';
import { buildZones, type SerialState } from '@lanctl/dns-wire';
import { type Machine, type Pool, parseCidr } from '@lanctl/model';
import { indexZones, type ZoneIndex } from './authority.ts';
import type { DnsConfig } from './config.ts';
import { forwarderFor } from './forwarder.ts';
import type { AnswerMetrics, DnsMetrics, DropReason } from './metrics.ts';
import { createResponder } from './responder.ts';
import { type DnsSockets, listenDns } from './server.ts';

/** Set to `dns` in the workers' environment (not `LANCTL_DNS_*`: those are config overrides). */
export const WORKER_ENV = 'LANCTL_WORKER_OF';

export interface Tables {
  machines: Machine[];
  pools: Pool[];
  serials: Record<string, SerialState>;
}

type Count = [kind: string, key: string, n: number];
type FromWorker = { type: 'listening'; port: number } | { type: 'counts'; counts: Count[] };

/** AnswerMetrics that add up locally and go to the primary every 250 ms. */
function countingSink(): AnswerMetrics & { take(): Count[] } {
  const counts = new Map<string, number>();
  const add = (key: string, n = 1) => counts.set(key, (counts.get(key) ?? 0) + n);
  return {
    query: (view, qtype, rcode, transport) =>
      add(`query\u0000${view}|${qtype}|${rcode}|${transport}`),
    drop: (reason) => add(`drop\u0000${reason}`),
    forwarded: (result) => add(`forwarded\u0000${result}`),
    cacheHit: () => add('cacheHit\u0000'),
    tcpConnections: { inc: () => add('tcp\u0000'), dec: () => add('tcp\u0000', -1) },
    take() {
      const out = [...counts].map(
        ([k, n]): Count => [...(k.split('\u0000') as [string, string]), n],
      );
      counts.clear();
      return out;
    },
  };
}

function applyCounts(metrics: DnsMetrics, counts: Count[]): void {
  for (const [kind, key, n] of counts) {
    if (kind === 'query') {
      const [view, qtype, rcode, transport] = key.split('|') as [
        string,
        string,
        string,
        'udp' | 'tcp',
      ];
      metrics.query(view, Number(qtype), Number(rcode), transport, n);
    } else if (kind === 'drop') metrics.drop(key as DropReason, n);
    else if (kind === 'forwarded') metrics.forwarded(key, n);
    else if (kind === 'cacheHit') metrics.cacheHit(n);
    else if (kind === 'tcp') metrics.tcpConnections.inc(n);
  }
}

/** The worker side: answers from the tables the primary sends; binds the shared sockets. */
export function createDnsWorker(config: DnsConfig, logger: Logger) {
  let index: ZoneIndex = indexZones(buildZones(config.plan, [], []), {});
  const sink = countingSink();
  const responder = createResponder({
    index: () => index,
    allow: config.plan.allow.map((c) => parseCidr(c)).filter((c) => c !== null),
    forwarder: forwarderFor(config),
    metrics: sink,
    logger,
    udpSize: config.edns_udp_size,
  });
  const onMessage = (msg: { type?: string } & Partial<Tables>) => {
    if (msg.type !== 'zones' || !msg.machines || !msg.pools || !msg.serials) return;
    index = indexZones(buildZones(config.plan, msg.machines, msg.pools), msg.serials);
  };
  const flush = () => {
    const counts = sink.take();
    if (counts.length > 0 && process.connected)
      process.send?.({ type: 'counts', counts } satisfies FromWorker);
  };
  let sockets: DnsSockets | undefined;
  let timer: NodeJS.Timeout | undefined;
  return {
    async start() {
      process.on('message', onMessage);
      const { host, port } = config.listen;
      const { idle_timeout_ms: idleTimeoutMs, max_connections: maxConnections } = config.tcp;
      sockets = await listenDns(
        { host, port, idleTimeoutMs, maxConnections },
        responder,
        sink,
        logger,
      );
      timer = setInterval(flush, 250);
      // The primary is gone (crash, SIGKILL): nobody would feed or stop us.
      process.once('disconnect', () => process.exit(0));
      process.send?.({ type: 'listening', port: sockets.port } satisfies FromWorker);
      logger.info('worker listening', { pid: process.pid, port: sockets.port });
      return { port: sockets.port };
    },
    async stop() {
      clearInterval(timer);
      flush();
      process.off('message', onMessage);
      await sockets?.close();
    },
  };
}

/** The primary side: forks the workers (they share the sockets), feeds them, gathers their counts. */
export async function startWorkers(config: DnsConfig, metrics: DnsMetrics, logger: Logger) {
  const workers = new Set<Worker>();
  let last: Tables | undefined;
  let stopping = false;
  let port = config.listen.port;
  const fork = () =>
    new Promise<Worker>((resolve, reject) => {
      // Same listen address and port for all (port 0 too): the primary shares one handle per key.
      const w = cluster.fork({ [WORKER_ENV]: 'dns' });
      workers.add(w);
      const timer = setTimeout(() => reject(new Error('dns worker did not start in 30 s')), 30_000);
      let listened = false;
      w.on('message', (msg: FromWorker) => {
        if (msg.type === 'counts') applyCounts(metrics, msg.counts);
        if (msg.type !== 'listening') return;
        clearTimeout(timer);
        listened = true;
        port = msg.port;
        if (last) w.send({ type: 'zones', ...last });
        resolve(w);
      });
      w.on('exit', (code, signal) => {
        clearTimeout(timer);
        workers.delete(w);
        if (!listened)
          return reject(new Error(`dns worker exited (${code ?? signal}) before listening`));
        if (stopping) return;
        logger.error('dns worker exited, starting another', { code, signal });
        fork().catch((e: unknown) =>
          logger.error('cannot restart a dns worker', { error: String(e) }),
        );
      });
    });
  await fork();
  await Promise.all(Array.from({ length: config.workers - 1 }, fork));
  return {
    port,
    send(tables: Tables): void {
      last = tables;
      for (const w of workers) if (w.isConnected()) w.send({ type: 'zones', ...tables });
    },
    async stop(): Promise<void> {
      stopping = true;
      const exits = [...workers].map((w) => new Promise((resolve) => w.once('exit', resolve)));
      for (const w of workers) w.kill('SIGTERM');
      await Promise.all(exits);
    },
  };
}
