import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

/** The repository root (this file is scripts/bench/lib/). */
export const ROOT = resolve(import.meta.dirname, '..', '..', '..');
export const SSO_SNIPPETS = {
  upstream: join(ROOT, 'nginx/sso/upstream.conf'),
  handler: join(ROOT, 'nginx/sso/handler.conf'),
  protect: join(ROOT, 'nginx/sso/protect.conf'),
  cacheZone: join(ROOT, 'nginx/sso/cache-zone.conf'),
  cache: join(ROOT, 'nginx/sso/cache.conf'),
};

export const freePort = (host = '127.0.0.1') =>
  new Promise<number>((ok, fail) => {
    const s = createServer().listen(0, host, () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
    s.on('error', fail);
  });

/** nginx/sso/upstream.conf with the service's address (and keepalive) of this run. */
export function renderSsoUpstream(ssoHostPort: string, keepalive?: number): string {
  let text = readFileSync(SSO_SNIPPETS.upstream, 'utf8').replace(
    'server 127.0.0.1:20131;',
    `server ${ssoHostPort};`,
  );
  if (keepalive !== undefined)
    text = text.replace(/keepalive \d+;/, keepalive > 0 ? `keepalive ${keepalive};` : '');
  if (!text.includes(`server ${ssoHostPort};`))
    throw new Error('nginx/sso/upstream.conf: no `server 127.0.0.1:20131;` line to replace');
  return text;
}

/** nginx/sso/cache-zone.conf with the cache in `cacheDir` instead of /run/nginx-lanctl-sso. */
export function renderSsoCacheZone(cacheDir: string): string {
  const text = readFileSync(SSO_SNIPPETS.cacheZone, 'utf8');
  if (!text.includes('proxy_cache_path /run/nginx-lanctl-sso '))
    throw new Error('nginx/sso/cache-zone.conf: no `proxy_cache_path /run/nginx-lanctl-sso` line');
  return text.replace('proxy_cache_path /run/nginx-lanctl-sso ', `proxy_cache_path ${cacheDir} `);
}

/**
 * nginx/sso/cache.conf as shipped, or with another cache key: the benchmark's no-hit variant
 * (`$remote_addr$request_id`, a key no request shares: never for production).
 */
export function renderSsoCache(key?: string): string {
  const text = readFileSync(SSO_SNIPPETS.cache, 'utf8');
  if (!text.includes('proxy_cache_key $remote_addr;'))
    throw new Error('nginx/sso/cache.conf: no `proxy_cache_key $remote_addr;` line');
  return key === undefined
    ? text
    : text.replace('proxy_cache_key $remote_addr;', `proxy_cache_key ${key};`);
}

export interface RunningNginx {
  /** The process whose tree is nginx (timeout(1), nginx's master, its workers). */
  pid: number | undefined;
  /** Ends nginx (SIGTERM, then SIGKILL after 3 s) and waits for it. */
  stop(): Promise<void>;
  errorLog(): string;
}

/**
 * A throwaway nginx: `daemon off`, its prefix, pid, logs and temp paths in `dir`, `httpBody` as the
 * inside of `http { }`. Checked with `nginx -t` first; bounded by `timeout(1)` so that it cannot
 * outlive `timeoutSeconds`; resolves once `readyUrl` answers.
 */
export async function startNginx(options: {
  dir: string;
  httpBody: string;
  readyUrl: string;
  workers?: number;
  timeoutSeconds?: number;
}): Promise<RunningNginx> {
  const { dir } = options;
  mkdirSync(join(dir, 'logs'), { recursive: true });
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((k) => `${k}_temp_path ${dir}/${k}_temp;`)
    .join(' ');
  const workers = options.workers ?? 0;
  const main = join(dir, 'nginx.conf');
  writeFileSync(
    main,
    `daemon off; ${workers > 0 ? `worker_processes ${workers};` : 'master_process off;'}\n` +
      `pid ${dir}/nginx.pid; error_log ${dir}/logs/error.log warn;\n` +
      `events { worker_connections 4096; }\n` +
      `http { access_log off; ${temp}\n${options.httpBody}\n}\n`,
  );
  try {
    execFileSync('nginx', ['-t', '-q', '-p', dir, '-c', main], { stdio: 'pipe', timeout: 10_000 });
  } catch (e) {
    throw new Error(`nginx -t refused ${main}: ${String((e as { stderr?: Buffer }).stderr ?? e)}`);
  }
  const child: ChildProcess = spawn(
    'timeout',
    ['-k', '5', String(options.timeoutSeconds ?? 300), 'nginx', '-p', dir, '-c', main],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const errorLog = () => {
    try {
      return readFileSync(join(dir, 'logs/error.log'), 'utf8');
    } catch {
      return '';
    }
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(kill);
  };
  for (let i = 0; ; i++) {
    if (
      await fetch(options.readyUrl).then(
        () => true,
        () => false,
      )
    )
      break;
    if (i >= 100 || child.exitCode !== null) {
      await stop();
      throw new Error(`nginx did not start: ${errorLog()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { pid: child.pid, stop, errorLog };
}
