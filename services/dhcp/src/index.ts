import type { KeyObject } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import {
  createHttpApp,
  type HealthReport,
  type Listening,
  type Logger,
  listen,
  type Registry,
} from '@lanctl/core';
import { type DhcpSubnet, subnetFor } from '@lanctl/dhcp-wire';
import type { Machine } from '@lanctl/model';
import { createSyncClient, type SyncClient, type SyncClientOptions } from '@lanctl/sync';
import type { DhcpConfig } from './config.ts';
import { createTableStatus } from './health.ts';
import { mountApi } from './http.ts';
import { type LeaseStore, openLeaseStore } from './leases.ts';
import { createDhcpMetrics, type DhcpMetrics } from './metrics.ts';
import type { PolicyContext } from './policy.ts';
import { createPacketServer, type PacketServer } from './server.ts';
import { createMachineView } from './view.ts';

export { DEFAULT_DHCP_HTTP_PORT, type DhcpConfig, dhcpConfigSchema } from './config.ts';
export type { BootEvent } from './leases.ts';
export { type Decision, decide, type Lease, type PolicyContext } from './policy.ts';

export interface DhcpDeps {
  logger: Logger;
  metrics: Registry;
  /** Bearer token for mdb's stream, read at every connection (main reads `token_file`). */
  token: () => string;
  /** Verifies API tokens (main loads `auth.public_key_file`). */
  publicKey: KeyObject;
  /** ms since the epoch. */
  now?: () => number;
  /** This host's IPv4 addresses (default: every interface's); picks option 54 per subnet. */
  addresses?: () => string[];
  backoff?: SyncClientOptions<Machine>['backoff'];
}

export interface DhcpService {
  start(): Promise<{ dhcp: { address: string; port: number }; http: Listening }>;
  stop(): Promise<void>;
  health(): HealthReport;
}

const PRUNE_INTERVAL_MS = 60_000;

function localAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4')
    .map((a) => a!.address);
}

/** Option 54 per subnet, and which addresses are ours; throws naming `server_id` if none fits. */
function serverIds(config: DhcpConfig, addresses: string[]) {
  const inPlan = addresses.filter((a) => subnetFor(config.plan, a) !== null);
  const fallback = config.server_id ?? inPlan[0] ?? null;
  if (fallback === null) {
    throw new Error(
      `dhcp: server_id: none of this host's addresses (${addresses.join(', ')}) is in a subnet of the plan; set server_id`,
    );
  }
  const ours = new Set([...addresses, fallback]);
  return {
    for: (subnet: DhcpSubnet) =>
      config.server_id ?? inPlan.find((a) => subnetFor(config.plan, a) === subnet) ?? fallback,
    ours: (ip: string) => ours.has(ip),
    inPlan,
  };
}

function defaultSubnet(config: DhcpConfig, inPlan: string[]): DhcpSubnet | null {
  const dynamic = config.plan.subnets.filter((s) => s.dynamic !== null);
  if (config.default_subnet !== null) {
    return dynamic.find((s) => s.name === config.default_subnet) ?? null;
  }
  const local = new Set(inPlan.map((a) => subnetFor(config.plan, a)));
  return dynamic.find((s) => local.has(s)) ?? dynamic[0] ?? null;
}

/**
 * The DHCP server: known machines (mdb's `machines` stream) get their fixed address, unknown
 * ones a lease from their subnet's dynamic range; leases and boot events in SQLite. Binds
 * nothing until `start()`.
 */
export function create(config: DhcpConfig, deps: DhcpDeps): DhcpService {
  if (!deps.logger || !deps.metrics) {
    throw new Error('dhcp: deps.logger and deps.metrics are required');
  }
  if (typeof deps.token !== 'function') throw new Error('dhcp: deps.token must be a function');
  if (!deps.publicKey) throw new Error('dhcp: deps.publicKey is required');
  return new Dhcp(config, deps);
}

class Dhcp implements DhcpService {
  private readonly now: () => number;
  private readonly view = createMachineView();
  private readonly stateFile: string;
  private readonly table: ReturnType<typeof createTableStatus>;
  private readonly metrics: DhcpMetrics;
  private readonly context: (at: number) => PolicyContext;
  private readonly ids: ReturnType<typeof serverIds>;
  private store: LeaseStore | null = null;
  private sync: SyncClient<Machine> | null = null;
  private packets: PacketServer | null = null;
  private http: Listening | null = null;
  private pruneTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: DhcpConfig,
    private readonly deps: DhcpDeps,
  ) {
    const now = deps.now ?? Date.now;
    this.now = now;
    const ids = serverIds(config, (deps.addresses ?? localAddresses)());
    this.ids = ids;
    const fallback = defaultSubnet(config, ids.inPlan);
    this.stateFile = join(config.state_dir, 'machines.json');
    const connected = () => this.sync?.connected ?? false;
    const { view, stateFile } = this;
    this.table = createTableStatus({ view, upstream: config.upstream, stateFile, connected, now });
    this.metrics = createDhcpMetrics(deps.metrics, {
      activeLeases: () => this.store?.activeCount(now()) ?? 0,
      upstreamConnected: connected,
      tableAgeSeconds: this.table.age,
      machines: () => view.size,
    });
    this.context = (at) => ({
      plan: config.plan,
      view,
      leases: this.store!,
      now: at,
      serverId: ids.for,
      isOurs: ids.ours,
      defaultSubnet: fallback,
      offerHoldMs: config.leases.offer_hold_seconds * 1000,
      quarantineMs: config.leases.decline_quarantine_seconds * 1000,
    });
  }

  health = (): HealthReport => this.table.health();

  async start() {
    const { config, deps, now } = this;
    const logger = deps.logger;
    mkdirSync(config.state_dir, { recursive: true, mode: 0o700 });
    const store = openLeaseStore(
      join(config.state_dir, 'leases.sqlite'),
      config.leases.commit_window_ms,
      (e) => logger.error('lease commit failed', { error: e.message }),
    );
    this.store = store;
    this.sync = createSyncClient<Machine>({
      baseUrl: config.upstream,
      table: 'machines',
      token: deps.token,
      stateFile: this.stateFile,
      watch: ['hostname', 'ip', 'mac', 'mtype', 'room', 'is_faulty'],
      logger,
      backoff: deps.backoff,
      onUpdate: (state) => this.onUpdate(state),
    });
    this.sync.start();
    const { metrics, context } = this;
    this.packets = createPacketServer(config, { logger, metrics, store, context, now });
    const dhcp = await this.packets.start();
    const app = createHttpApp({
      service: 'dhcp',
      logger,
      metrics: deps.metrics,
      health: this.health,
      mount: (a) => mountApi(a, { publicKey: deps.publicKey, store, now }),
    });
    const http = await listen(app, config.http.listen.host, config.http.listen.port);
    this.http = http;
    this.pruneTimer = setInterval(() => this.prune(), PRUNE_INTERVAL_MS);
    this.pruneTimer.unref();
    logger.info('dhcp listening', { dhcp, http: http.url, server_ids: this.ids.inPlan });
    return { dhcp, http };
  }

  async stop() {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    await this.packets?.stop();
    await this.http?.close();
    await this.sync?.stop();
    await this.store?.close().catch((e: Error) => {
      this.deps.logger.error('lease database not closed cleanly', { error: e.message });
    });
    this.store = null;
    this.deps.logger.info('dhcp stopped');
  }

  private onUpdate(state: ReadonlyMap<string, Machine>): void {
    this.view.replace(state);
    this.table.updated();
    const connected = this.sync?.connected ?? false;
    this.deps.logger.info('machine table updated', { machines: this.view.size, connected });
  }

  private prune(): void {
    const b = this.config.boot_events;
    const logger = this.deps.logger;
    this.store?.prune(this.now(), b.max_age_days * 86_400_000, b.per_mac).then(
      (removed) => removed && logger.info('boot events pruned', { removed }),
      (e: Error) => logger.error('boot events not pruned', { error: e.message }),
    );
  }
}
