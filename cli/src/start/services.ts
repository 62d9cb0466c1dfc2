import type { KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { createMetricsRegistry, type Listening, type Logger, loadConfig } from '@lanctl/core';
import {
  create as createMdb,
  DEFAULT_MDB_PORT,
  DEFAULT_MDB_SYNC_PORT,
  mdbConfigSchema,
} from '@lanctl/mdb';
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
 */
export const GATEWAY_SERVICES: { name: string; build(ctx: GatewayContext): Runnable }[] = [
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
];

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
