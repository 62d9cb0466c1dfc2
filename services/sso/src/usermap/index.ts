import { isIPv4 } from 'node:net';
import { Counter, Gauge, type Logger, type Registry } from '@lanctl/core';
import express, { type Request, type Response } from 'express';
import type { UsermapConfig } from './config.ts';
import { Broadcaster } from './events.ts';
import { buildUsermap, type UsermapModel } from './model.ts';
import { pageCsp, renderPage } from './page.ts';
import { createProcessPinger, PING_RESULTS, type Pinger } from './pinger.ts';
import { Prober } from './prober.ts';
import type { UsermapSource } from './source.ts';

export { type UsermapConfig, usermapConfigSchema } from './config.ts';
export {
  buildUsermap,
  OTHER_ROOM,
  type SeatState,
  type UsermapModel,
  type UsermapRoom,
  type UsermapSeat,
} from './model.ts';
export { escapeHtml, renderPage } from './page.ts';
export { createProcessPinger, PING_BINARY, type Pinger, type PingResult } from './pinger.ts';
export type { UsermapSource } from './source.ts';

export interface UsermapOptions {
  config: UsermapConfig;
  source: UsermapSource;
  logger: Logger;
  metrics: Registry;
  /** Default: `/usr/bin/ping` child processes. */
  pinger?: Pinger;
}

export interface Usermap {
  /** GET / (the page), /state.json (the model), /events (the model on each change, SSE). */
  router: express.Router;
  start(): void;
  stop(): Promise<void>;
}

/** Updates go out at most this often (a burst of changes becomes one update). */
const MIN_UPDATE_MS = 200;

/**
 * The usermap (SADM's presencesync_usermap): every room's seats, who sits there, which are free,
 * faulty or unreachable, live in the browser. Reads `source`, pings the machines itself.
 */
export function createUsermap(options: UsermapOptions): Usermap {
  checkOptions(options);
  const { config, source, logger, metrics } = options;
  const m = createUsermapMetrics(metrics);
  let unsubscribe: (() => void) | null = null;
  // The serialized model, rebuilt after a change (and if `ready` flipped without one); not kept
  // while stopped (changes are not followed then).
  let cached: { ready: boolean; json: string } | null = null;
  const model = (): UsermapModel & { ready: boolean } => ({
    ready: source.ready(),
    ...buildUsermap(
      source.machines(),
      source.rooms(),
      source.sessions(),
      (login) => source.groupOf(login),
      prober.unreachable(),
    ),
  });
  const snapshot = () => {
    if (cached === null || cached.ready !== source.ready()) {
      const now = model();
      const json = JSON.stringify(now);
      if (!unsubscribe) return json;
      cached = { ready: now.ready, json };
    }
    return cached.json;
  };
  const broadcaster = new Broadcaster({
    maxClients: config.max_clients,
    heartbeatMs: config.heartbeat_seconds * 1000,
    minIntervalMs: MIN_UPDATE_MS,
    snapshot,
    clients: m.clients,
    refused: m.refused,
    logger,
  });
  const changed = () => {
    cached = null;
    broadcaster.changed();
  };
  const prober = new Prober(config.ping, {
    pinger: options.pinger ?? createProcessPinger(),
    targets: () => pingTargets(source),
    onChange: changed,
    pings: m.pings,
    logger,
  });
  const router = usermapRouter(config.title, snapshot, broadcaster.handle);
  return {
    router,
    start() {
      if (unsubscribe) return;
      unsubscribe = source.onChange(changed);
      cached = null;
      broadcaster.start();
      prober.start();
    },
    async stop() {
      unsubscribe?.();
      unsubscribe = null;
      cached = null;
      broadcaster.stop();
      await prober.stop();
    },
  };
}

function checkOptions({ config, source, logger, metrics, pinger }: UsermapOptions): void {
  if (!config?.ping) throw new Error('usermap: config is required (usermapConfigSchema)');
  if (!source || typeof source.onChange !== 'function') {
    throw new Error('usermap: source must implement UsermapSource');
  }
  if (!logger || !metrics) throw new Error('usermap: logger and metrics are required');
  if (pinger !== undefined && typeof pinger.ping !== 'function') {
    throw new Error('usermap: pinger must implement Pinger');
  }
}

/** Machines with an IPv4 address (the others are never pinged, so never unreachable). */
const pingTargets = (source: UsermapSource) =>
  source
    .machines()
    .filter((machine) => isIPv4(machine.ip))
    .map(({ hostname, ip }) => ({ hostname, ip }));

function usermapRouter(
  title: string,
  snapshot: () => string,
  events: (req: Request, res: Response) => void,
): express.Router {
  const router = express.Router({ strict: true });
  const csp = pageCsp();
  // Served at /usermap and /usermap/ alike: the script finds `events` from the address it has.
  router.get('/', (_req, res) => {
    res
      .set({
        'content-security-policy': csp,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      })
      .type('html')
      .send(renderPage(JSON.parse(snapshot()), title));
  });
  router.get('/state.json', (_req, res) => {
    res.set('cache-control', 'no-store').type('json').send(snapshot());
  });
  router.get('/events', events);
  return router;
}

function createUsermapMetrics(registry: Registry) {
  const pings = new Counter({
    name: 'lanctl_sso_usermap_pings_total',
    help: 'Pings sent to machines, by result (up, down, error: could not run)',
    labelNames: ['result'],
    registers: [registry],
  });
  for (const result of PING_RESULTS) pings.inc({ result }, 0);
  const clients = new Gauge({
    name: 'lanctl_sso_usermap_clients',
    help: 'Browsers following the usermap stream',
    registers: [registry],
  });
  const refused = new Counter({
    name: 'lanctl_sso_usermap_clients_refused_total',
    help: 'Usermap streams refused because max_clients were already open',
    registers: [registry],
  });
  return { pings, clients, refused };
}
