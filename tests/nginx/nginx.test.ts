import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MdbHarness, startMdb } from '../../services/mdb/src/testing/harness.ts';

const ROOT = join(import.meta.dirname, '..', '..');

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/**
 * The shipped nginx site, rendered with the test's ports and paths, in front of a real mdb:
 * the production routing must match what `lanctl start`'s origin does.
 */
describe('nginx/lanctl.conf in front of mdb', () => {
  let mdb: MdbHarness;
  let nginx: ChildProcess;
  let base: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    mdb = await startMdb('sqlite');
    const dir = await tempDir('lanctl-nginx-');
    cleanup = dir.cleanup;
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const proxyConf = join(dir.path, 'lanctl-proxy.conf');
    writeFileSync(proxyConf, readFileSync(join(ROOT, 'nginx/lanctl-proxy.conf')));
    const site = readFileSync(join(ROOT, 'nginx/lanctl.conf'), 'utf8')
      .replace('127.0.0.1:20000', new URL(mdb.url).host)
      .replace('listen 80;', `listen 127.0.0.1:${port};`)
      .replaceAll('/etc/nginx/lanctl-proxy.conf', proxyConf);
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
        await fetch(`${base}/healthz`).then(
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
    await mdb?.close();
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

  it('answers unknown API routes with a JSON 404 without reaching a service', async () => {
    const res = await fetch(`${base}/api/v1/machinesx`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('not_found');
  });
});
