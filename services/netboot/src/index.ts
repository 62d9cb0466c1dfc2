import type { KeyObject } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NetbootEvent } from '@lanctl/boot';
import { createHttpApp, type Listening, type Logger, listen, type Registry } from '@lanctl/core';
import type { BootProfile } from '@lanctl/model';
import { type Express, Router } from 'express';
import type { NetbootConfig } from './config.ts';
import { bootFilesRouter, type FileTransfer } from './files/index.ts';
import { parseFilePath } from './files/path.ts';
import { createNetbootMetrics } from './metrics.ts';
import { cachedReads, mdbRegistrar, type Registrar } from './registrar.ts';

/** How long the menu's view of mdb (open or closed, planned machines) is reused. */
const MENU_CACHE_MS = 2000;

import { clientIp, scriptRoutes } from './routes.ts';
import { followTables } from './tables.ts';
import { type EventLog, openEventLog, timelineRouter } from './timeline/index.ts';

export { DEFAULT_NETBOOT_PORT, type NetbootConfig, netbootConfigSchema } from './config.ts';

export interface NetbootDeps {
  logger: Logger;
  metrics: Registry;
  /** netboot's service token (scopes read and machines:register); a function: re-read per use. */
  token: string | (() => string);
  publicKey: KeyObject;
  /** mdb's registration API; by default over HTTP at `config.mdb_url`. */
  registrar?: Registrar;
  /** How long the menu's view of mdb is reused (default 2 s; tests that flip it use 0). */
  menuCacheMs?: number;
  now?: () => number;
}

export interface NetbootService {
  /** The HTTP app (scripts, files, timeline API, /healthz, /metrics): route audits list it. */
  app: Express;
  start(): Promise<Listening>;
  stop(): Promise<void>;
}

/**
 * Routes anyone may call: what iPXE fetches (it has no token) and monitoring. Everything else
 * (the timeline API) needs a token with the read scope.
 */
export const PUBLIC_ROUTES = [
  'GET /healthz',
  'GET /metrics',
  'GET /bootstrap',
  'GET /boot/:mac{/}',
  'GET /register/menu',
  'GET /register/form',
  'GET /register',
  // Boot files: /files/rfs<N>/<path> (the redirects; the files router is mounted beside them).
  'GET /files/rfs:n/*path',
];

/** Which boot file a profile names: the timeline says "kernel" or "initrd", not just a path. */
function fileRole(profiles: readonly BootProfile[], path: string): 'kernel' | 'initrd' | null {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const base = (f: string) => f.slice(f.lastIndexOf('/') + 1);
  if (profiles.some((p) => base(p.kernel) === name)) return 'kernel';
  if (profiles.some((p) => p.initrds.some((i) => base(i) === name))) return 'initrd';
  return null;
}

/**
 * The netboot service (SADM's netboot, port 20020): iPXE scripts for known machines from their
 * boot profile, the registration menu for unknown ones, boot files with a boot-storm cap, and
 * each machine's boot timeline. Binds nothing until `start()`.
 */
export function create(config: NetbootConfig, deps: NetbootDeps): NetbootService {
  if (!deps?.logger || !deps.metrics || !deps.publicKey || deps.token === undefined) {
    throw new Error(
      'netboot: deps.logger, deps.metrics, deps.token and deps.publicKey are required',
    );
  }
  const { logger } = deps;
  const now = deps.now ?? Date.now;
  const token = typeof deps.token === 'function' ? deps.token : () => deps.token as string;
  const trusted = new Set(config.trusted_proxies);
  const tables = followTables({
    upstream: config.upstream,
    token,
    stateDir: config.state_dir,
    logger,
  });
  const registrar = cachedReads(
    deps.registrar ?? mdbRegistrar({ mdbUrl: config.mdb_url, token }),
    deps.menuCacheMs ?? MENU_CACHE_MS,
    now,
  );
  const metrics = createNetbootMetrics(deps.metrics);
  let log: EventLog | null = null;
  let http: Listening | undefined;
  const record = (event: NetbootEvent) => {
    try {
      log?.record(event);
    } catch (e) {
      logger.error('boot event not recorded', { error: (e as Error).message });
    }
  };

  const localServers = Object.fromEntries(
    Object.entries(config.rfs)
      .filter(([, rfs]) => rfs.boot_dir !== null)
      .map(([n, rfs]) => [`rfs${n}`, { root: rfs.boot_dir! }]),
  );
  const files = bootFilesRouter({
    servers: localServers,
    maxConcurrent: config.files.max_concurrent,
    largeBytes: config.files.large_bytes,
    queueTimeoutMs: config.files.queue_timeout_seconds * 1000,
    maxQueue: config.files.max_queue,
    metrics: deps.metrics,
    logger,
    now,
    // One rule for the whole service: X-Real-IP from `trusted_proxies` only.
    clientIp: (req) => clientIp(req, trusted),
    onTransfer: (t: FileTransfer) =>
      record({
        at: t.at,
        ip: t.ip,
        mac: null,
        kind: 'file',
        path: `/files/${t.server}/${t.path}`,
        status: t.status,
        outcome: t.outcome,
        detail: t.range,
        bytes: t.bytes,
        size: t.size,
        duration_ms: t.duration_ms,
        queued_ms: t.queued_ms,
        file_role: fileRole(tables.bootProfiles(), t.path),
      }),
  });
  /** RFSs without a local directory: SADM's own nginx on the RFS serves the file. */
  const redirects = Router();
  redirects.get('/rfs:n/*path', (req, res, next) => {
    const n = req.params.n as string;
    if (!/^\d{1,3}$/.test(n) || config.rfs[String(Number(n))]?.boot_dir) return next();
    // The same path checks as a local file (no `..`, `%2f`, NUL...): a redirect must not
    // point outside the RFS's boot directory either. A refusal is the files router's answer.
    const parsed = parseFilePath(req.path);
    if (!parsed.ok) return next();
    const path = parsed.path.split('/').map(encodeURIComponent).join('/');
    const target = `${config.files.url_template.replaceAll('{n}', String(Number(n)))}/${path}`;
    record({
      at: now(),
      ip: clientIp(req, trusted),
      mac: null,
      kind: 'file',
      path: req.originalUrl.slice(0, 500),
      status: 302,
      outcome: 'redirected',
      detail: target,
      file_role: fileRole(tables.bootProfiles(), path),
    });
    res.redirect(302, target);
  });

  const app = createHttpApp({
    service: 'netboot',
    logger,
    metrics: deps.metrics,
    health: () => {
      const report = tables.health();
      return { ...report, files: files.health(), public_url: config.public_url };
    },
    mount: (a) => {
      a.use('/files', redirects, files);
      a.use(scriptRoutes({ config, tables, registrar, record, metrics, logger, now }));
      a.use(
        '/api/v1',
        timelineRouter({
          publicKey: deps.publicKey,
          log: {
            record: (e) => log?.record(e),
            byMac: (...args) => log?.byMac(...args) ?? [],
            byIps: (...args) => log?.byIps(...args) ?? [],
            close: () => {},
          },
          machineByHostname: (h) => tables.machineByHostname(h),
          machines: () => tables.machines(),
          dhcp: config.timeline.dhcp_url ? { url: config.timeline.dhcp_url, token } : null,
          tftp: config.timeline.tftp_url ? { url: config.timeline.tftp_url, token } : null,
          now,
        }),
      );
    },
  });

  return {
    app,
    async start() {
      mkdirSync(config.state_dir, { recursive: true, mode: 0o700 });
      log = openEventLog({
        path: join(config.state_dir, 'events.sqlite'),
        maxEvents: config.timeline.max_events,
      });
      tables.start();
      http = await listen(app, config.listen.host, config.listen.port);
      logger.info('netboot listening', {
        http: http.url,
        public_url: config.public_url,
        local_rfs: Object.keys(localServers),
      });
      return http;
    },
    async stop() {
      await http?.close();
      http = undefined;
      await tables.stop();
      log?.close();
      log = null;
      logger.info('netboot stopped');
    },
  };
}
