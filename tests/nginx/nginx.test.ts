import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { issueToken } from '@lanctl/auth';
import { createLogger, createMetricsRegistry, validateConfig } from '@lanctl/core';
import { tempDir } from '@lanctl/testkit';
import { WEB_DIST } from '@lanctl/web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES } from '../../cli/src/start/origin.ts';
import { type MdbHarness, startMdb } from '../../services/mdb/src/testing/harness.ts';
import {
  create as createNetboot,
  type NetbootService,
  netbootConfigSchema,
} from '../../services/netboot/src/index.ts';
import { startUdb, type UdbHarness } from '../../services/udb/src/testing/harness.ts';

const ROOT = join(import.meta.dirname, '..', '..');

const getWithHost = (url: string, host: string) =>
  new Promise<string>((resolve, reject) => {
    get(url, { headers: { host } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve(text));
    }).on('error', reject);
  });

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/**
 * The shipped nginx site, rendered with the test's ports and paths, in front of a real mdb and
 * udb: the production routing must match what `lanctl start`'s origin does.
 */
describe('nginx/lanctl.conf in front of mdb and udb', () => {
  let mdb: MdbHarness;
  let udb: UdbHarness;
  let netboot: NetbootService;
  let nginx: ChildProcess;
  let base: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    mdb = await startMdb('sqlite');
    udb = await startUdb('sqlite');
    const dir = await tempDir('lanctl-nginx-');
    cleanup = dir.cleanup;
    const boot = join(dir.path, 'boot');
    mkdirSync(boot);
    writeFileSync(join(boot, 'vmlinuz-linux'), Buffer.alloc(100_000, 3));
    netboot = createNetboot(
      validateConfig('netboot', netbootConfigSchema, {
        listen: { host: '127.0.0.1', port: 0 },
        upstream: mdb.url,
        mdb_url: mdb.url,
        state_dir: join(dir.path, 'netboot'),
        rfs: { '0': { boot_dir: boot } },
        timeline: { dhcp_url: null, tftp_url: null },
      }),
      {
        logger: createLogger('netboot', { silent: true }),
        metrics: createMetricsRegistry(),
        publicKey: mdb.keys.publicKey,
        token: issueToken(mdb.keys.privateKey, {
          subject: 'netboot',
          role: 'reader',
          scopes: ['read', 'machines:register'],
        }),
      },
    );
    const netbootUrl = (await netboot.start()).url;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const proxyConf = join(dir.path, 'lanctl-proxy.conf');
    writeFileSync(proxyConf, readFileSync(join(ROOT, 'nginx/lanctl-proxy.conf')));
    const site = readFileSync(join(ROOT, 'nginx/lanctl.conf'), 'utf8')
      .replace('127.0.0.1:20000', new URL(mdb.url).host)
      .replace('127.0.0.1:20080', new URL(udb.url).host)
      .replace('127.0.0.1:20020', new URL(netbootUrl).host)
      .replaceAll('listen 80;', `listen 127.0.0.1:${port};`)
      .replaceAll('/etc/nginx/lanctl-proxy.conf', proxyConf)
      .replace('/etc/nginx/lanctl/sso/upstream.conf', join(ROOT, 'nginx/sso/upstream.conf'))
      .replace('root /opt/lanctl/services/web/dist;', `root ${WEB_DIST};`);
    mkdirSync(join(dir.path, 'logs'));
    const main = join(dir.path, 'nginx.conf');
    writeFileSync(
      main,
      `daemon off; master_process off; pid ${dir.path}/nginx.pid; error_log ${dir.path}/logs/error.log;\n` +
        `events { worker_connections 64; }\nhttp { access_log off; client_body_temp_path ${dir.path}; proxy_temp_path ${dir.path};\n${site}\n}\n`,
    );
    execFileSync('nginx', ['-t', '-p', dir.path, '-c', main], { stdio: 'pipe' });
    nginx = spawn('nginx', ['-p', dir.path, '-c', main], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (
        await fetch(`${base}/api/`).then(
          () => true,
          () => false,
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  afterAll(async () => {
    nginx?.kill('SIGTERM');
    await netboot?.stop();
    await mdb?.close();
    await udb?.close();
    await cleanup?.();
  });

  it('routes every mdb collection to mdb, with the bearer token passed through', async () => {
    const headers = {
      authorization: `Bearer ${mdb.token('root')}`,
      'content-type': 'application/json',
    };
    const created = await fetch(`${base}/api/v1/machines`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ hostname: 'web', mac: '52:54:00:00:00:01', mtype: 'service' }),
    });
    expect(created.status).toBe(201);
    for (const path of [
      'machines',
      'machines/web',
      'switches',
      'rooms',
      'machine-types',
      'pools',
      'settings',
    ]) {
      const res = await fetch(`${base}/api/v1/${path}`, { headers });
      expect(res.status, path).toBe(200);
    }
    expect((await fetch(`${base}/api/v1/openapi.json`)).status).toBe(200);
    expect((await fetch(`${base}/api/v1/machines`)).status).toBe(401);
  });

  it("routes people's logins and users to udb, and SADM's /call by virtual host", async () => {
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', host: 'lanctl' },
      body: JSON.stringify({ login: 'admin', password: udb.adminPassword }),
    });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    const users = await fetch(`${base}/api/v1/users`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await users.json()) as { items: unknown[] }).items).toHaveLength(1);
    // fetch cannot set Host; node:http can, as SADM's clients reach `http://mdb` and `http://udb`.
    const viaMdb = JSON.parse(await getWithHost(`${base}/call/query`, 'mdb'));
    expect(viaMdb.type).toBe('result');
    const viaUdb = JSON.parse(await getWithHost(`${base}/call/query`, 'udb'));
    expect(viaUdb.data.map((u: { login: string }) => u.login)).toEqual(['admin']);
  });

  it('serves the web UI: the page for client routes, never cached; assets for a year', async () => {
    for (const path of ['/', '/machines']) {
      const page = await fetch(`${base}${path}`);
      expect(page.status, path).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.headers.get('cache-control')).toBe('no-store');
      const html = await page.text();
      expect(html).toContain('<div id="root">');
      const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
      const asset = await fetch(`${base}${script}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
    expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
  });

  it('answers unknown API routes with a JSON 404 without reaching a service', async () => {
    const res = await fetch(`${base}/api/v1/machinesx`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('not_found');
  });

  it("serves SADM's `netboot` host: scripts, boot files, and the machine's real address", async () => {
    const bootstrap = await getWithHost(`${base}/bootstrap`, 'netboot');
    expect(bootstrap.startsWith('#!ipxe\n')).toBe(true);
    // The client's own X-Real-IP is replaced by nginx: registration sees where it came from.
    const register = await new Promise<string>((resolve, reject) => {
      get(
        `${base}/register?hostname=pas-r01p01&mac=52:54:00:00:00:99&rfs=0&hfs=0&room=pasteur&mtype=user`,
        { headers: { host: 'netboot', 'x-real-ip': '192.168.250.7' } },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve(text));
        },
      ).on('error', reject);
    });
    expect(register).toContain('this request came from 127.0.0.1');
    const range = await new Promise<{ status: number; length: string | undefined }>(
      (resolve, reject) => {
        get(
          `${base}/files/rfs0/vmlinuz-linux`,
          { headers: { host: 'netboot', range: 'bytes=0-99' } },
          (res) => {
            res.resume();
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, length: res.headers['content-length'] }),
            );
          },
        ).on('error', reject);
      },
    );
    expect(range).toEqual({ status: 206, length: '100' });
    // On the lanctl site, a machine's boot timeline goes to netboot, the machine to mdb.
    const timeline = await fetch(`${base}/api/v1/machines/nosuchhost/boot`, {
      headers: { authorization: `Bearer ${mdb.token('reader')}` },
    });
    expect(timeline.status).toBe(404);
    expect((await timeline.json()).error.message).toContain('machine nosuchhost');
  });
});

describe('nginx/lanctl.conf and the origin of `lanctl start`', () => {
  it('route every /api/v1 prefix to the same service', () => {
    const site = readFileSync(join(ROOT, 'nginx/lanctl.conf'), 'utf8');
    const locations = [
      ...site.matchAll(/location ~ (\S+) \{[^}]*?proxy_pass http:\/\/lanctl_(\w+);/g),
    ].map((m) => ({ pattern: new RegExp(m[1]!), service: m[2]! }));
    expect(locations.length).toBeGreaterThan(0);
    for (const route of API_ROUTES) {
      const hit = locations.find((l) => l.pattern.test(route.prefix));
      expect(hit?.service, route.prefix).toBe(route.service);
    }
  });
});
