/**
 * SSO benchmark: what nginx's `auth_request` to the sso service costs, side by side with nginx
 * answering alone, in one run.
 *
 *   pnpm bench:sso [--connections 8,32,128] [--duration 5] [--machines 300]
 *                  [--workers 1] [--keepalive N]
 *
 * One nginx (the shipped nginx/sso snippets, `--workers` worker processes) serves five ports:
 * `return 200` (rewrite phase, the cheapest answer nginx has), a static file (content phase),
 * and the same static file behind `include nginx/sso/protect.conf` (auth_request subrequest to the
 * sso service, over nginx/sso/upstream.conf's idle upstream connections, or `--keepalive` of them;
 * 0 = a new connection each time), the same again with nginx/sso/cache.conf (the per-address 1 s
 * cache: wrk sends from one address, so nearly every subrequest is a hit, the best case), and with
 * a cache.conf whose key is `$remote_addr$request_id` (never for production: no request shares a
 * key, so every subrequest is a miss that also stores an entry: the worst case of the cache).
 * The sso service runs in its own process (`lanctl serve sso`) and follows machines, rooms, users
 * and presence streamed by this process: `--machines` machines with a user logged in on each;
 * the load (wrk, one thread, from 127.0.0.1) comes from the first of them, so every answer is a
 * known login. Each port gets `--duration` seconds per connection count, after a 1 s warm-up.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { treeCpuSeconds } from './lib/sso-cpu.ts';
import {
  freePort,
  renderSsoCache,
  renderSsoCacheZone,
  renderSsoUpstream,
  SSO_SNIPPETS,
  startNginx,
} from './lib/sso-nginx.ts';
import { startBenchUpstream, startSsoChild } from './lib/sso-upstream.ts';
import { runWrk, type WrkResult } from './lib/sso-wrk.ts';

const LOAD_FROM = '127.0.0.1';
const TARGETS = [
  'return 200',
  'static file',
  'static file + sso',
  'static + sso + cache',
  'static + sso + cache, no hit',
] as const;
type Target = (typeof TARGETS)[number];

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      connections: { type: 'string', default: '8,32,128' },
      duration: { type: 'string', default: '5' },
      machines: { type: 'string', default: '300' },
      workers: { type: 'string', default: '1' },
      keepalive: { type: 'string' },
    },
  });
  const int = (name: string, raw: string, min: number, max: number) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name}: ${min}..${max}`);
    return n;
  };
  return {
    connections: String(values.connections)
      .split(',')
      .map((c) => int('connections', c, 1, 4000)),
    duration: int('duration', String(values.duration), 1, 120),
    machines: int('machines', String(values.machines), 1, 60_000),
    workers: int('workers', String(values.workers), 1, 16),
    /** Idle upstream connections per worker; undefined: nginx/sso/upstream.conf's own. */
    keepalive:
      values.keepalive === undefined ? undefined : int('keepalive', values.keepalive, 0, 4096),
  };
}

function nginxSite(
  ports: Record<Target, number>,
  dir: string,
  cacheDir: string,
  ssoPort: number,
  keepalive: number | undefined,
) {
  const protectedSite = (target: Target, cache: string) => `
  server {
    listen 127.0.0.1:${ports[target]} backlog=4096;
    root ${dir};
    include ${SSO_SNIPPETS.handler};
    ${cache}
    location / {
      include ${SSO_SNIPPETS.protect};
      try_files /ok.txt =404;
    }
  }`;
  // The no-hit port stores one entry per request: room for them in the keys zone (the shipped
  // 1 MiB holds about 8,000), on a tmpfs as /run in production.
  const zone = renderSsoCacheZone(cacheDir).replace(
    'keys_zone=lanctl_sso:1m',
    'keys_zone=lanctl_sso:64m',
  );
  return `${renderSsoUpstream(`127.0.0.1:${ssoPort}`, keepalive)}
  ${zone}
  open_file_cache max=16 inactive=60s;
  open_file_cache_valid 60s;
  server {
    listen 127.0.0.1:${ports['return 200']} backlog=4096;
    location / { return 200 "ok\\n"; }
  }
  server {
    listen 127.0.0.1:${ports['static file']} backlog=4096;
    root ${dir};
    location / { try_files /ok.txt =404; }
  }
  ${protectedSite('static file + sso', '')}
  ${protectedSite('static + sso + cache', renderSsoCache())}
  ${protectedSite('static + sso + cache, no hit', renderSsoCache('$remote_addr$request_id'))}`;
}

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits }) : '-';

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const dir = await mkdtemp(join(tmpdir(), 'lanctl-bench-sso-'));
  const cacheDir = await mkdtemp(
    join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'lanctl-bench-sso-cache-'),
  );
  const cleanups: (() => Promise<void>)[] = [];
  const load = { before: loadavg()[0] ?? 0, after: 0 };
  try {
    // nginx workers (user nobody when started as root) read ok.txt: the directory must be open.
    await chmod(dir, 0o755);
    await chmod(cacheDir, 0o755);
    await writeFile(join(dir, 'ok.txt'), 'ok\n');
    const upstream = await startBenchUpstream(dir, options.machines, LOAD_FROM);
    cleanups.push(upstream.close);
    const ssoPort = await freePort();
    const sso = await startSsoChild({
      dir,
      port: ssoPort,
      upstream: upstream.url,
      tokenFile: upstream.tokenFile,
      timeoutSeconds: 60 + options.connections.length * TARGETS.length * (options.duration + 2) * 2,
    });
    cleanups.unshift(sso.stop);
    const ports = {} as Record<Target, number>;
    for (const t of TARGETS) ports[t] = await freePort();
    const nginx = await startNginx({
      dir: join(dir, 'nginx'),
      httpBody: nginxSite(ports, dir, join(cacheDir, 'cache'), ssoPort, options.keepalive),
      readyUrl: `http://127.0.0.1:${ports['return 200']}/`,
      workers: options.workers,
      timeoutSeconds: 60 + options.connections.length * TARGETS.length * (options.duration + 2) * 2,
    });
    cleanups.unshift(nginx.stop);
    for (const target of TARGETS.filter((t) => t.includes('sso'))) {
      const probe = await fetch(`http://127.0.0.1:${ports[target]}/`);
      const user = probe.headers.get('x-sso-user');
      if (probe.status !== 200 || user !== 'contestant0')
        throw new Error(`${target} answered ${probe.status}, X-SSO-User ${user}`);
    }
    const results: Cell[] = [];
    for (const connections of options.connections)
      for (const target of TARGETS)
        results.push(await measure(target, connections, ports, options.duration, nginx, sso));
    const answered = await ssoCalls(sso.url);
    load.after = loadavg()[0] ?? 0;
    report(options, results, answered, load, nginx.errorLog());
  } finally {
    for (const c of cleanups) await c().catch(() => {});
    await rm(dir, { recursive: true, force: true });
    await rm(cacheDir, { recursive: true, force: true });
  }
}

/** One cell: a 1 s warm-up, then wrk for `duration` s, with the CPU and sso calls it cost. */
async function measure(
  target: Target,
  connections: number,
  ports: Record<Target, number>,
  duration: number,
  nginx: { pid: number | undefined },
  sso: { pid: number | undefined; url: string },
): Promise<Cell> {
  const url = `http://127.0.0.1:${ports[target]}/`;
  await runWrk(url, Math.min(connections, 8), 1);
  const calls0 = await ssoCalls(sso.url);
  const cpu0 = [treeCpuSeconds(nginx.pid), treeCpuSeconds(sso.pid)];
  const wrk = await runWrk(url, connections, duration);
  const cpu1 = [treeCpuSeconds(nginx.pid), treeCpuSeconds(sso.pid)];
  const calls = (await ssoCalls(sso.url)) - calls0;
  if (wrk.errors > 0) throw new Error(`${target} at ${connections}: ${wrk.errors} errors`);
  const perRequest = (i: number) => ((cpu1[i]! - cpu0[i]!) / wrk.requests) * 1e6;
  const result = {
    ...wrk,
    nginxUs: perRequest(0),
    ssoUs: perRequest(1),
    ssoCallsPerRequest: calls / wrk.requests,
  };
  return { connections, target, result };
}

/** The service's answers so far (every one a known login here): its calls from nginx. */
async function ssoCalls(url: string): Promise<number> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  return Number(/lanctl_sso_answers_total\{status="known"\} (\d+)/.exec(metrics)?.[1] ?? 0);
}

type Cell = { connections: number; target: Target; result: WrkResult & CpuPerRequest };
interface CpuPerRequest {
  /** CPU time per request of nginx (all its processes) and of the sso service, in µs. */
  nginxUs: number;
  ssoUs: number;
  /** Calls to the sso service per request served (1 without the cache; its miss rate with). */
  ssoCallsPerRequest: number;
}

function report(
  options: ReturnType<typeof parseOptions>,
  results: Cell[],
  answered: number,
  load: { before: number; after: number },
  errorLog: string,
): void {
  const of = (c: number, t: Target) =>
    results.find((r) => r.connections === c && r.target === t)!.result;
  console.log(
    `\nsso bench: ${options.machines} machines with a session, nginx ${options.workers} worker(s), ` +
      `upstream keepalive ${options.keepalive ?? 'as shipped'}, ${options.duration} s per cell, wrk -t1\n`,
  );
  console.log(
    '| conns | target | req/s | p50 ms | p99 ms | nginx CPU µs/req | sso CPU µs/req | sso calls/req |',
  );
  console.log('| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const { connections, target, result: r } of results) {
    const sso = target.includes('sso');
    console.log(
      `| ${connections} | ${target} | ${fmt(r.rps)} | ${fmt(r.p50ms, 2)} | ${fmt(r.p99ms, 2)} | ` +
        `${fmt(r.nginxUs, 1)} | ${sso ? fmt(r.ssoUs, 1) : '-'} | ${sso ? fmt(r.ssoCallsPerRequest, 4) : '-'} |`,
    );
  }
  console.log(
    '\n| conns | sso / static file | sso + cache / static file | cache, no hit / static file |',
  );
  console.log('| ---: | ---: | ---: | ---: |');
  for (const c of options.connections) {
    const file = of(c, 'static file').rps;
    const ratio = (t: Target) => fmt(of(c, t).rps / file, 2);
    console.log(
      `| ${c} | ${ratio('static file + sso')} | ${ratio('static + sso + cache')} | ` +
        `${ratio('static + sso + cache, no hit')} |`,
    );
  }
  // nginx's cache loader walks the cache directory once, a minute after the start: it logs the
  // entries that were removed between its readdir and its stat (the no-hit port churns them).
  const loaderRace = /\[crit\] .*stat\(\) ".*-cache-.*" failed \(2: /;
  const lines = errorLog.split('\n');
  const races = lines.filter((l) => loaderRace.test(l)).length;
  const warnings = lines.filter(
    (l) => /\[(warn|error|crit|alert|emerg)\]/.test(l) && !loaderRace.test(l),
  );
  console.log(
    `\nsso answers (known logins) counted by the service: ${fmt(answered)}; nginx warnings: ${warnings.length}` +
      ` (and ${races} cache-loader stat() races on removed entries)` +
      `; load average ${load.before.toFixed(2)} → ${load.after.toFixed(2)}`,
  );
  for (const w of warnings.slice(0, 5)) console.log(`  ${w}`);
  console.log(JSON.stringify({ bench: 'sso', options, load, answered, results }));
}

await main();
