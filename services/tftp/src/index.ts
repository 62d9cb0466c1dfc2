import type { KeyObject } from 'node:crypto';
import { realpathSync, statSync } from 'node:fs';
import { createHttpApp, type Listening, type Logger, listen, type Registry } from '@lanctl/core';
import { mountApi } from './api.ts';
import type { TftpConfig } from './config.ts';
import { createFileStore, type FileSource } from './files.ts';
import { createTransferHistory } from './history.ts';
import { createTftpMetrics } from './metrics.ts';
import { createTftpServer } from './server.ts';

export { DEFAULT_TFTP_HTTP_PORT, type TftpConfig, tftpConfigSchema } from './config.ts';
export type { FileSource } from './files.ts';
export type { TransferOutcome, TransferRecord } from './history.ts';

export interface TftpDeps {
  logger: Logger;
  metrics: Registry;
  /**
   * Verifies the tokens of `GET /api/v1/transfers` (main loads `auth.public_key_file`); null: the
   * API is not mounted.
   */
  publicKey: KeyObject | null;
  /** The files served; by default `config.root` on disk, read-only, cached in memory. */
  files?: FileSource;
}

/** The HTTP port (as every service's `start` gives it, for `lanctl start`) and the TFTP port. */
export type TftpListening = Listening & { tftpPort: number };

export interface TftpService {
  /** Binds the TFTP socket, then the HTTP port; resolves to both. */
  start(): Promise<TftpListening>;
  /** Ends every transfer, closes both sockets. */
  stop(): Promise<void>;
}

/** The real root directory; throws naming `root` when it is not a readable directory. */
function realRoot(root: string): string {
  let real: string;
  try {
    real = realpathSync(root);
  } catch (e) {
    throw new Error(`tftp: root: ${root}: ${(e as Error).message}`);
  }
  if (!statSync(real).isDirectory()) throw new Error(`tftp: root: ${root} is not a directory`);
  return real;
}

/**
 * The read-only TFTP server (RFC 1350, options RFC 2347–2349, windowsize RFC 7440) for netboot:
 * iPXE and the PXE/UEFI firmware fetch their first binary here. Binds nothing until `start()`.
 */
export function create(config: TftpConfig, deps: TftpDeps): TftpService {
  if (!deps?.logger || !deps.metrics)
    throw new Error('tftp: deps.logger and deps.metrics are required');
  if (deps.publicKey === undefined) {
    throw new Error('tftp: deps.publicKey is required (null: no transfers API)');
  }
  const store = deps.files ? undefined : createFileStore(realRoot(config.root), config.cache_bytes);
  const files = deps.files ?? store!;
  const { logger } = deps;
  const metrics = createTftpMetrics(deps.metrics);
  const history = createTransferHistory(config.history);
  const server = createTftpServer(config, { logger, metrics, files, history });
  let http: Listening | undefined;
  let tftpPort = 0;

  const app = createHttpApp({
    service: 'tftp',
    logger,
    metrics: deps.metrics,
    health: () => ({
      ok: tftpPort !== 0,
      tftp: { host: config.listen.host, port: tftpPort },
      root: config.root,
      active_transfers: server.activeTransfers(),
      transfers_recorded: history.size(),
      ...(store ? { cache: store.cached() } : {}),
    }),
    mount: (a) => {
      if (deps.publicKey) mountApi(a, { publicKey: deps.publicKey, history });
    },
  });

  return {
    async start() {
      tftpPort = await server.start();
      try {
        http = await listen(app, config.http.listen.host, config.http.listen.port);
      } catch (e) {
        await server.stop();
        tftpPort = 0;
        throw e;
      }
      logger.info('listening', {
        tftp: `${config.listen.host}:${tftpPort}`,
        tftp_port: tftpPort,
        http: http.url,
        root: config.root,
      });
      return { ...http, tftpPort };
    },
    async stop() {
      await server.stop();
      tftpPort = 0;
      await http?.close();
      http = undefined;
    },
  };
}
