import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@lanctl/testkit';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** Runs `lanctl start` as a real process and waits until it has written ports.json. */
async function startLanctl(
  data: string,
): Promise<{ child: ChildProcess; ports: Record<string, string>; output: () => string }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'cli/src/main.ts',
      'start',
      '--data',
      data,
      '--port',
      'origin=0',
      '--port',
      'mdb=0',
      '--port',
      'mdbsync=0',
      '--port',
      'udb=0',
      '--port',
      'udbsync=0',
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + 30_000;
  while (!output.includes('gateway up')) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`lanctl start did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    ports: JSON.parse(readFileSync(join(data, 'ports.json'), 'utf8')),
    output: () => output,
  };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

describe('lanctl start', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  });

  it('runs the gateway on SQLite under --data, routes /api/v1 through one origin and stops cleanly on SIGTERM', async () => {
    const dir = await tempDir('lanctl-start-');
    try {
      const data = join(dir.path, 'var');
      const { child, ports, output } = await startLanctl(data);
      children.push(child);
      expect(Object.keys(ports).sort()).toEqual(['mdb', 'mdbsync', 'origin', 'udb', 'udbsync']);
      expect(statSync(join(data, 'initial-admin-password')).mode & 0o777).toBe(0o600);
      expect(statSync(join(data, 'admin-token')).mode & 0o777).toBe(0o600);
      expect(statSync(join(data, 'token-signing.key')).mode & 0o777).toBe(0o600);
      expect(existsSync(join(data, 'mdb.sqlite'))).toBe(true);
      const token = readFileSync(join(data, 'admin-token'), 'utf8').trim();
      const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

      const created = await fetch(`${ports.origin}/api/v1/machines`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({
          hostname: 'pas-r01p01',
          mac: '52:54:00:12:34:56',
          mtype: 'user',
          room: 'pasteur',
        }),
      });
      expect(created.status).toBe(201);
      // The same record is visible on the owner's own port.
      const direct = await fetch(`${ports.mdb}/api/v1/machines/pas-r01p01`, { headers: auth });
      expect((await direct.json()).ip).toBe('192.168.0.1');
      expect((await fetch(`${ports.origin}/api/v1/machines`)).status).toBe(401);
      // The seeded admin logs in through the same origin, and that session reaches mdb too.
      const password = readFileSync(join(data, 'initial-admin-password'), 'utf8').trim();
      const session = await fetch(`${ports.origin}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'admin', password }),
      });
      const { token: personal } = (await session.json()) as { token: string };
      const asPerson = await fetch(`${ports.origin}/api/v1/machines`, {
        headers: { authorization: `Bearer ${personal}` },
      });
      expect(asPerson.status).toBe(200);
      expect((await fetch(`${ports.origin}/api/v1/nothing-here`)).status).toBe(404);
      expect((await fetch(`${ports.origin}/`)).headers.get('content-type')).toContain('text/html');

      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
      expect(output()).toContain('"message":"stopped"');

      // A restart keeps the data and the admin token.
      const again = await startLanctl(data);
      children.push(again.child);
      expect(readFileSync(join(data, 'admin-token'), 'utf8').trim()).toBe(token);
      const list = await fetch(`${again.ports.origin}/api/v1/machines`, { headers: auth });
      expect((await list.json()).items.map((m: { hostname: string }) => m.hostname)).toEqual([
        'pas-r01p01',
      ]);
      again.child.kill('SIGTERM');
      expect(await exited(again.child)).toBe(0);
    } finally {
      await dir.cleanup();
    }
  });
});
