import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  ensureSigningKeys,
  issueToken,
  loadPrivateKey,
  loadPublicKey,
  verifyToken,
} from '@lanctl/auth';
import { createLogger, type Listening, type Logger, listen, writeFileAtomic } from '@lanctl/core';
import { createOrigin } from './origin.ts';
import { GATEWAY_SERVICES, type GatewayContext, type Runnable } from './services.ts';
import { loadWebUi } from './web.ts';

export const DEFAULT_ORIGIN_PORT = 8080;

export interface StartOptions {
  dataDir: string;
  host: string;
  /** Port per service name (`origin`, `mdb`, ...); 0 asks the kernel for a free one. */
  ports: Record<string, number>;
  logger: Logger;
  /** Optional services to run too (`dhcp`, `dns`, `tftp`: see GATEWAY_SERVICES). */
  with?: string[];
  /** Each service's logger (default: JSON lines on stdout tagged with its name). */
  loggerFor?: (service: string) => Logger;
  /** Serve the web UI at `/` (default true: built first if missing or stale). */
  webUi?: boolean;
}

export interface Gateway {
  urls: Record<string, string>;
  adminTokenFile: string;
  stop(): Promise<void>;
}

/**
 * Runs every service built so far in this process on SQLite files under the data directory,
 * plus the origin that routes `/api/v1` to them, and writes `ports.json` and `admin-token`.
 */
export async function startGateway(options: StartOptions): Promise<Gateway> {
  const data = resolve(options.dataDir);
  mkdirSync(data, { recursive: true, mode: 0o700 });
  const keys = {
    privateKeyFile: join(data, 'token-signing.key'),
    publicKeyFile: join(data, 'token-signing.pub'),
  };
  ensureSigningKeys(keys);
  const adminTokenFile = join(data, 'admin-token');
  ensureAdminToken(adminTokenFile, keys.privateKeyFile, keys.publicKeyFile);
  const publicKey = loadPublicKey(keys.publicKeyFile);

  const ctx: GatewayContext = {
    data,
    host: options.host,
    ports: options.ports,
    keys,
    publicKey,
    privateKey: loadPrivateKey(keys.privateKeyFile),
    loggerFor: options.loggerFor ?? ((name) => createLogger(name)),
    urls: {},
  };
  const wanted = new Set(options.with ?? []);
  const optional = GATEWAY_SERVICES.filter((s) => s.optional).map((s) => s.name);
  const unknown = [...wanted].filter((name) => !optional.includes(name));
  if (unknown.length > 0) {
    throw new Error(
      `--with: no optional service ${unknown.join(', ')} (expected ${optional.join(', ')})`,
    );
  }
  const started: { name: string; stop(): Promise<void> }[] = [];
  const listening: Record<string, Listening> = {};
  const built: Runnable[] = [];
  const extra: Record<string, string> = {};
  try {
    for (const { name, optional: isOptional, build } of GATEWAY_SERVICES) {
      if (isOptional && !wanted.has(name)) continue;
      const service = build(ctx);
      built.push(service);
      listening[name] = await service.start();
      started.push({ name, stop: () => service.stop() });
      ctx.urls[name] = listening[name].url;
      Object.assign(ctx.urls, service.extraUrls?.() ?? {});
    }
    const upstreams = Object.fromEntries(Object.entries(listening).map(([n, l]) => [n, l.url]));
    for (const service of built) Object.assign(extra, service.extraUrls?.() ?? {});
    const web = options.webUi === false ? undefined : await loadWebUi(options.logger);
    listening.origin = await listen(
      createOrigin(upstreams, web),
      options.host,
      options.ports.origin ?? DEFAULT_ORIGIN_PORT,
    );
    started.push({ name: 'origin', stop: () => listening.origin!.close() });
  } catch (e) {
    await stopAll(started);
    throw e;
  }
  const urls = {
    ...Object.fromEntries(Object.entries(listening).map(([name, l]) => [name, l.url])),
    ...extra,
  };
  writeFileAtomic(join(data, 'ports.json'), `${JSON.stringify(urls, null, 2)}\n`, 0o644);
  return { urls, adminTokenFile, stop: () => stopAll(started) };
}

async function stopAll(started: { stop(): Promise<void> }[]) {
  for (const s of [...started].reverse()) await s.stop();
}

/** Keeps a valid root token for the local admin in `<data>/admin-token` (0600). */
function ensureAdminToken(file: string, privateKeyFile: string, publicKeyFile: string): void {
  if (existsSync(file)) {
    const current = readFileSync(file, 'utf8').trim();
    const check = verifyToken(
      loadPublicKey(publicKeyFile),
      current,
      new Date(Date.now() + 7 * 24 * 3600 * 1000),
    );
    if (check.ok) {
      chmodSync(file, 0o600);
      return;
    }
  }
  const token = issueToken(loadPrivateKey(privateKeyFile), { subject: 'admin', role: 'root' });
  writeFileAtomic(file, `${token}\n`, 0o600);
}
