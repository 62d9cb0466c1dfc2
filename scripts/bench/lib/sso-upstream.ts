import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  authenticate,
  ensureSigningKeys,
  issueToken,
  loadPrivateKey,
  loadPublicKey,
} from '@lanctl/auth';
import {
  createHttpApp,
  createLogger,
  createMetricsRegistry,
  type Listening,
  listen,
} from '@lanctl/core';
import type { Machine, PresenceRecord, User } from '@lanctl/model';
import { createStreamServer, Hub, STREAM_ACCESS } from '@lanctl/sync';
import { machineRecord } from '../../../packages/testkit/src/records.ts';
import { ROOT } from './sso-nginx.ts';

/**
 * The four tables the sso service follows, served as native streams from memory (what mdb, udb
 * and presence stream), with `count` machines in room `bench`, each with a user logged in. The
 * first machine has the address the benchmark's load comes from (wrk: 127.0.0.1).
 */
export async function startBenchUpstream(
  dir: string,
  count: number,
  loadFrom: string,
): Promise<{ url: string; tokenFile: string; close(): Promise<void> }> {
  const keys = {
    privateKeyFile: join(dir, 'signing.key'),
    publicKeyFile: join(dir, 'signing.pub'),
  };
  ensureSigningKeys(keys);
  const tokenFile = join(dir, 'sso.token');
  const token = issueToken(loadPrivateKey(keys.privateKeyFile), { subject: 'sso', role: 'reader' });
  writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
  const logger = createLogger('bench-upstream', { silent: true });
  const metrics = createMetricsRegistry();
  const hub = new Hub({ tables: ['machines', 'rooms', 'users', 'presence'], logger });
  const machines: Machine[] = [];
  const users: User[] = [];
  const sessions: PresenceRecord[] = [];
  for (let i = 0; i < count; i++) {
    const hostname = `bench-r${String(Math.floor(i / 20)).padStart(2, '0')}p${String(i % 20).padStart(2, '0')}`;
    const ip = i === 0 ? loadFrom : `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    const login = `contestant${i}`;
    machines.push(machineRecord({ hostname, ip, room: 'bench' }));
    users.push({
      login,
      firstname: 'C',
      lastname: String(i),
      uid: 10_000 + i,
      group: 'user',
    } as User);
    sessions.push({ login, hostname });
  }
  hub.reset(1, {
    machines: machines.map((m) => ({ id: m.hostname, record: m })),
    rooms: [
      {
        id: 'bench',
        record: { name: 'bench', description: 'bench', hostname_pattern: '', seats_per_row: 20 },
      },
    ],
    users: users.map((u) => ({ id: u.login, record: u })),
    presence: sessions.map((s) => ({ id: s.login, record: s })),
  });
  const streams = createStreamServer({
    hub,
    access: STREAM_ACCESS,
    logger,
    metrics,
    service: 'bench_upstream',
  });
  const publicKey = loadPublicKey(keys.publicKeyFile);
  const app = createHttpApp({
    service: 'bench_upstream',
    logger,
    metrics,
    mount: (a) => a.use('/api/v1', authenticate(publicKey), streams.router),
  });
  const http: Listening = await listen(app, '127.0.0.1', 0);
  return {
    url: http.url,
    tokenFile,
    async close() {
      streams.closeAll();
      await http.close(1000);
    },
  };
}

export interface SsoChild {
  url: string;
  /** The process whose tree is the service (timeout(1), then node). */
  pid: number | undefined;
  stop(): Promise<void>;
}

/**
 * The sso service in its own process, as its unit runs it: `lanctl serve sso` once the CLI
 * knows the word, else the same `main()` through tsx.
 */
export async function startSsoChild(options: {
  dir: string;
  port: number;
  upstream: string;
  tokenFile: string;
  timeoutSeconds: number;
}): Promise<SsoChild> {
  const { dir, port, upstream } = options;
  const config = join(dir, 'sso.yml');
  writeFileSync(
    config,
    [
      `listen: { host: 127.0.0.1, port: ${port} }`,
      `mdb_upstream: ${upstream}`,
      `udb_upstream: ${upstream}`,
      `presence_upstream: ${upstream}`,
      `token_file: ${options.tokenFile}`,
      `state_dir: ${join(dir, 'sso-state')}`,
      // The benchmark's machines do not exist: no ping rounds for the room map.
      'usermap: { ping: { enabled: false } }',
      '',
    ].join('\n'),
  );
  const wired = /\bsso\s*:\s*\(\)\s*=>\s*import\(/.test(
    readFileSync(join(ROOT, 'cli/src/services.ts'), 'utf8'),
  );
  const loader = `file://${join(ROOT, 'cli/node_modules/tsx/dist/loader.mjs')}`;
  const argv = wired
    ? [join(ROOT, 'cli/bin/lanctl'), 'serve', 'sso', '--config', config]
    : [
        process.execPath,
        '--import',
        loader,
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(`file://${join(ROOT, 'services/sso/src/main.ts')}`)}); await m.main(['--config', ${JSON.stringify(config)}]);`,
      ];
  const child: ChildProcess = spawn(
    'timeout',
    ['-k', '5', String(options.timeoutSeconds), ...argv],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LANCTL_LOG_LEVEL: 'warn' },
    },
  );
  const log = createWriteStream(join(dir, 'sso.log'));
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(kill);
    }
    log.end();
  };
  for (let i = 0; ; i++) {
    const health = await fetch(`${url}/healthz`).then(
      (r) => r.json() as Promise<{ loaded?: Record<string, boolean>; ok?: boolean }>,
      () => null,
    );
    if (health?.ok) break;
    if (i > 300 || child.exitCode !== null) {
      await stop();
      throw new Error(
        `sso did not come up: ${readFileSync(join(dir, 'sso.log'), 'utf8').slice(-2000)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, pid: child.pid, stop };
}
