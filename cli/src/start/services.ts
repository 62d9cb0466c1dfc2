import type { KeyObject } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { issueToken } from '@lanctl/auth';
import { createMetricsRegistry, type Listening, type Logger, loadConfig } from '@lanctl/core';
import { create as createDhcp, DEFAULT_DHCP_HTTP_PORT, dhcpConfigSchema } from '@lanctl/dhcp';
import { create as createDns, DEFAULT_DNS_HTTP_PORT, dnsConfigSchema } from '@lanctl/dns';
import {
  create as createMdb,
  DEFAULT_MDB_PORT,
  DEFAULT_MDB_SYNC_PORT,
  mdbConfigSchema,
} from '@lanctl/mdb';
import {
  create as createNetboot,
  DEFAULT_NETBOOT_PORT,
  netbootConfigSchema,
} from '@lanctl/netboot';
import {
  create as createPresence,
  DEFAULT_PRESENCE_PORT,
  presenceConfigSchema,
} from '@lanctl/presence';
import { create as createSso, DEFAULT_SSO_PORT, ssoConfigSchema } from '@lanctl/sso';
import { create as createTftp, DEFAULT_TFTP_HTTP_PORT, tftpConfigSchema } from '@lanctl/tftp';
import {
  create as createUdb,
  DEFAULT_UDB_PORT,
  DEFAULT_UDB_SYNC_PORT,
  udbConfigSchema,
} from '@lanctl/udb';

/** What every service of the all-in-one start is built from. */
export interface GatewayContext {
  data: string;
  host: string;
  ports: Record<string, number>;
  keys: { privateKeyFile: string; publicKeyFile: string };
  publicKey: KeyObject;
  privateKey: KeyObject;
  loggerFor: (service: string) => Logger;
  /** URLs of the services started so far (`mdbsync` included), for the ones started after. */
  urls: Record<string, string>;
}

export interface Runnable {
  start(): Promise<Listening>;
  stop(): Promise<void>;
  /** Further ports it bound (e.g. SADM's `mdbsync`), by name, once started. */
  extraUrls?(): Record<string, string>;
}

/**
 * The services `lanctl start` runs, in start order, each on SQLite under the data directory and
 * its SADM port unless overridden; `<data>/config/<name>.yml` layers over these defaults.
 * `optional` ones run only when asked (`--with dhcp,dns,tftp`): they answer on the LAN, bind
 * privileged UDP ports and need a site plan (`<data>/config/dhcp.yml`'s subnets).
 */
export const GATEWAY_SERVICES: {
  name: string;
  optional?: boolean;
  build(ctx: GatewayContext): Runnable;
}[] = [
  {
    name: 'udb',
    build: (ctx) =>
      withSyncUrl(
        'udbsync',
        createUdb(
          loadConfig('udb', udbConfigSchema, {
            dir: join(ctx.data, 'config'),
            base: {
              listen: { host: ctx.host, port: ctx.ports.udb ?? DEFAULT_UDB_PORT },
              sync: { port: ctx.ports.udbsync ?? DEFAULT_UDB_SYNC_PORT },
              database: { url: join(ctx.data, 'udb.sqlite') },
              auth: {
                public_key_file: ctx.keys.publicKeyFile,
                private_key_file: ctx.keys.privateKeyFile,
              },
              initial_admin_password_file: join(ctx.data, 'initial-admin-password'),
            },
          }),
          {
            logger: ctx.loggerFor('udb'),
            metrics: createMetricsRegistry(),
            publicKey: ctx.publicKey,
            privateKey: ctx.privateKey,
          },
        ),
      ),
  },
  {
    name: 'mdb',
    build: (ctx) =>
      withSyncUrl(
        'mdbsync',
        createMdb(
          loadConfig('mdb', mdbConfigSchema, {
            dir: join(ctx.data, 'config'),
            base: {
              listen: { host: ctx.host, port: ctx.ports.mdb ?? DEFAULT_MDB_PORT },
              sync: { port: ctx.ports.mdbsync ?? DEFAULT_MDB_SYNC_PORT },
              database: { url: join(ctx.data, 'mdb.sqlite') },
              auth: { public_key_file: ctx.keys.publicKeyFile },
            },
          }),
          {
            logger: ctx.loggerFor('mdb'),
            metrics: createMetricsRegistry(),
            publicKey: ctx.publicKey,
          },
        ),
      ),
  },
  {
    name: 'dhcp',
    optional: true,
    build: (ctx) => {
      const service = createDhcp(
        loadConfig(
          'dhcp',
          dhcpConfigSchema,
          consumerBase(ctx, 'dhcp', { auth: { public_key_file: ctx.keys.publicKeyFile } }),
        ),
        {
          ...consumerDeps(ctx, 'dhcp'),
          publicKey: ctx.publicKey,
        },
      );
      let udp = '';
      return {
        start: async () => {
          const started = await service.start();
          udp = `udp://${started.dhcp.address}:${started.dhcp.port}`;
          return started.http;
        },
        stop: () => service.stop(),
        extraUrls: () => ({ dhcp_udp: udp }),
      };
    },
  },
  {
    name: 'dns',
    optional: true,
    build: (ctx) => {
      const config = loadConfig('dns', dnsConfigSchema, consumerBase(ctx, 'dns'));
      const service = createDns(config, consumerDeps(ctx, 'dns'));
      let udp = '';
      return {
        start: async () => {
          const started = await service.start();
          udp = `udp://${config.listen.host}:${started.port}`;
          return started.http!;
        },
        stop: () => service.stop(),
        extraUrls: () => ({ dns_udp: udp }),
      };
    },
  },
  {
    name: 'tftp',
    optional: true,
    build: (ctx) => {
      const config = loadConfig('tftp', tftpConfigSchema, {
        dir: join(ctx.data, 'config'),
        base: {
          http: { listen: { host: ctx.host, port: ctx.ports.tftp ?? DEFAULT_TFTP_HTTP_PORT } },
          auth: { public_key_file: ctx.keys.publicKeyFile },
        },
      });
      const service = createTftp(config, {
        logger: ctx.loggerFor('tftp'),
        metrics: createMetricsRegistry(),
        publicKey: ctx.publicKey,
      });
      let udp = '';
      return {
        start: async () => {
          const started = await service.start();
          udp = `udp://${config.listen.host}:${started.tftpPort}`;
          return started;
        },
        stop: () => service.stop(),
        extraUrls: () => ({ tftp_udp: udp }),
      };
    },
  },
  {
    // HTTP only (no LAN socket): iPXE scripts, registration, boot files, boot timelines.
    name: 'netboot',
    build: (ctx) => {
      const base = consumerBase(ctx, 'netboot').base;
      const config = loadConfig('netboot', netbootConfigSchema, {
        dir: join(ctx.data, 'config'),
        base: {
          listen: { host: ctx.host, port: ctx.ports.netboot ?? DEFAULT_NETBOOT_PORT },
          upstream: base.upstream,
          state_dir: base.state_dir,
          mdb_url: ctx.urls.mdb,
          auth: { public_key_file: ctx.keys.publicKeyFile },
          // The timeline joins what the DHCP and TFTP servers saw, when they run (`--with`).
          timeline: { dhcp_url: ctx.urls.dhcp ?? null, tftp_url: ctx.urls.tftp ?? null },
        },
      });
      return createNetboot(config, {
        logger: ctx.loggerFor('netboot'),
        metrics: createMetricsRegistry(),
        publicKey: ctx.publicKey,
        token: () =>
          issueToken(ctx.privateKey, {
            subject: 'netboot',
            role: 'reader',
            scopes: ['read', 'machines:register'],
            ttlSeconds: 3600,
          }),
      });
    },
  },
  {
    // After udb and mdb: presence follows both streams (users, machines).
    name: 'presence',
    build: (ctx) => {
      const state = join(ctx.data, 'presence');
      mkdirSync(state, { recursive: true, mode: 0o700 });
      const config = loadConfig('presence', presenceConfigSchema, {
        dir: join(ctx.data, 'config'),
        base: {
          listen: { host: ctx.host, port: ctx.ports.presence ?? DEFAULT_PRESENCE_PORT },
          mdb_upstream: ctx.urls.mdbsync,
          udb_upstream: ctx.urls.udbsync,
          state_dir: state,
          auth: { public_key_file: ctx.keys.publicKeyFile },
        },
      });
      return createPresence(config, { ...consumerDeps(ctx, 'presence'), publicKey: ctx.publicKey });
    },
  },
  {
    // After presence: SSO for nginx's auth_request and the room map (/usermap through the origin).
    name: 'sso',
    build: (ctx) => {
      const state = join(ctx.data, 'sso');
      mkdirSync(state, { recursive: true, mode: 0o700 });
      const config = loadConfig('sso', ssoConfigSchema, {
        dir: join(ctx.data, 'config'),
        base: {
          listen: { host: ctx.host, port: ctx.ports.sso ?? DEFAULT_SSO_PORT },
          mdb_upstream: ctx.urls.mdbsync,
          udb_upstream: ctx.urls.udbsync,
          presence_upstream: ctx.urls.presence,
          state_dir: state,
          // A try-out machine is seldom on the LAN its machine table describes: no pings to
          // those addresses unless `<data>/config/sso.yml` turns them on (usermap.ping.enabled).
          usermap: { ping: { enabled: false } },
        },
      });
      return createSso(config, consumerDeps(ctx, 'sso'));
    },
  },
];

const CONSUMER_HTTP_PORTS: Record<string, number> = {
  dhcp: DEFAULT_DHCP_HTTP_PORT,
  dns: DEFAULT_DNS_HTTP_PORT,
};

/** What start sets for a consumer of mdb's streams: in-process mdb, state under the data dir. */
function consumerBase(ctx: GatewayContext, name: string, extra: Record<string, unknown> = {}) {
  const state = join(ctx.data, name);
  mkdirSync(state, { recursive: true, mode: 0o700 });
  return {
    dir: join(ctx.data, 'config'),
    base: {
      upstream: ctx.urls.mdbsync,
      state_dir: state,
      http: { listen: { host: ctx.host, port: ctx.ports[name] ?? CONSUMER_HTTP_PORTS[name] } },
      ...extra,
    },
  };
}

/** A consumer's deps: its own read-only token, fresh at every connection (it never expires). */
function consumerDeps(ctx: GatewayContext, name: string) {
  return {
    logger: ctx.loggerFor(name),
    metrics: createMetricsRegistry(),
    token: () => issueToken(ctx.privateKey, { subject: name, role: 'reader', ttlSeconds: 3600 }),
  };
}

/** Reports a service's sync port under SADM's name for it. */
function withSyncUrl(
  name: string,
  service: Runnable & { readonly syncUrl: string | undefined },
): Runnable {
  return {
    start: () => service.start(),
    stop: () => service.stop(),
    extraUrls: () => (service.syncUrl ? { [name]: service.syncUrl } : {}),
  };
}
