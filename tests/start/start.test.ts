import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOKEN_COOKIE } from '@lanctl/auth';
import { tempDir } from '@lanctl/testkit';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** Runs `lanctl start` as a real process and waits until it has written ports.json. */
async function startLanctl(
  data: string,
  more: string[] = [],
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
      '--port',
      'netboot=0',
      '--port',
      'presence=0',
      '--port',
      'sso=0',
      ...more,
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
      expect(Object.keys(ports).sort()).toEqual([
        'mdb',
        'mdbsync',
        'netboot',
        'origin',
        'presence',
        'sso',
        'udb',
        'udbsync',
      ]);
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
      // presence answers through the same origin (nobody logged in yet).
      const presence = await fetch(`${ports.origin}/api/v1/presence`, { headers: auth });
      expect(await presence.json()).toEqual({ items: [] });
      // The room map, served by sso through the origin, shows the new machine as free.
      const seatState = async () => {
        const map = (await (await fetch(`${ports.origin}/usermap/state.json`)).json()) as {
          rooms: { seats: { hostname: string; state: string }[] }[];
        };
        return map.rooms.flatMap((r) => r.seats).find((s) => s.hostname === 'pas-r01p01')?.state;
      };
      for (let i = 0; i < 100 && (await seatState()) === undefined; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await seatState()).toBe('free');
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
      // netboot follows the in-process mdb: the new machine's boot script and its timeline.
      let script = '';
      for (let i = 0; i < 50 && !script.includes('rfs0'); i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 100));
        script = await (await fetch(`${ports.netboot}/boot/52:54:00:12:34:56/`)).text();
      }
      expect(script).toContain('No such RFS: rfs0');
      const boot = await fetch(`${ports.origin}/api/v1/machines/pas-r01p01/boot`, {
        headers: auth,
      });
      expect(boot.status).toBe(200);
      expect((await boot.json()).boot.stage).toBe('script');
      await streamsThroughOrigin(ports, personal);
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

  it('runs the native DHCP, DNS and TFTP servers with --with, fed by the in-process mdb', async () => {
    const dir = await tempDir('lanctl-start-with-');
    try {
      const data = join(dir.path, 'var');
      const config = join(data, 'config');
      mkdirSync(config, { recursive: true });
      // Loopback and port 0 only: nothing answers on a real LAN during the test.
      writeFileSync(
        join(config, 'dhcp.yml'),
        'listen: { host: 127.0.0.1, port: 0 }\nserver_id: 192.168.0.254\nplan:\n  subnets:\n' +
          '    - { name: users, network: 192.168.0.0/24, next_server: 192.168.0.254 }\n',
      );
      writeFileSync(join(config, 'dns.yml'), 'listen: { host: 127.0.0.1, port: 0 }\n');
      writeFileSync(join(config, 'tftp.yml'), 'listen: { host: 127.0.0.1, port: 0 }\n');
      const ports = ['dhcp=0', 'dns=0', 'tftp=0'].flatMap((p) => ['--port', p]);
      const { child, ports: urls } = await startLanctl(data, [...ports, '--with', 'dhcp,dns,tftp']);
      children.push(child);
      expect(Object.keys(urls)).toEqual(
        expect.arrayContaining(['dhcp', 'dhcp_udp', 'dns', 'dns_udp', 'tftp', 'tftp_udp']),
      );
      const token = readFileSync(join(data, 'admin-token'), 'utf8').trim();
      const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const created = await fetch(`${urls.origin}/api/v1/machines`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ hostname: 'pas-r01p02', mac: '52:54:00:12:34:57', mtype: 'user' }),
      });
      expect(created.status).toBe(201);

      const dnsPort = new URL(urls.dns_udp!).port;
      const dig = () =>
        execFileSync(
          'dig',
          ['+short', '+time=1', '+tries=1', '-p', dnsPort, '@127.0.0.1', 'pas-r01p02.prolo'],
          {
            encoding: 'utf8',
          },
        ).trim();
      const deadline = Date.now() + 10_000;
      while (dig() !== '192.168.0.1' && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(dig()).toBe('192.168.0.1');

      const tftpPort = new URL(urls.tftp_udp!).port;
      const kpxe = join(dir.path, 'undionly.kpxe');
      execFileSync('curl', ['-sS', '-o', kpxe, `tftp://127.0.0.1:${tftpPort}/undionly.kpxe`], {
        timeout: 20_000,
      });
      expect(readFileSync(kpxe).equals(readFileSync('/usr/lib/ipxe/undionly.kpxe'))).toBe(true);

      const events = await fetch(`${urls.origin}/api/v1/boot-events?mac=52:54:00:12:34:57`, {
        headers: auth,
      });
      expect(events.status).toBe(200);
      expect((await fetch(`${urls.dhcp}/healthz`)).status).toBe(200);

      child.kill('SIGTERM');
      expect(await exited(child)).toBe(0);
    } finally {
      await dir.cleanup();
    }
  });

  it('refuses an unknown --with service, naming the ones it knows', async () => {
    const dir = await tempDir('lanctl-start-with-');
    try {
      await expect(startLanctl(join(dir.path, 'var'), ['--with', 'ldap'])).rejects.toThrow(
        /--with: no optional service ldap \(expected dhcp, dns, tftp\)/,
      );
    } finally {
      await dir.cleanup();
    }
  });
});

/** mdb's count of open stream subscribers (its sync hub serves both of its ports). */
async function mdbSubscribers(ports: Record<string, string>): Promise<number> {
  const text = await (await fetch(`${ports.mdb}/metrics`)).text();
  return Number(/^lanctl_mdb_sync_subscribers (\d+)/m.exec(text)?.[1]);
}

/**
 * The change streams the web UI follows, through the origin with the UI's session cookie: each
 * reaches its owner, and a page that goes away does not leave its upstream subscription open.
 */
async function streamsThroughOrigin(ports: Record<string, string>, token: string) {
  const before = await mdbSubscribers(ports);
  const abort = new AbortController();
  for (const table of ['machines', 'settings', 'users', 'presence']) {
    const res = await fetch(`${ports.origin}/api/v1/sync/${table}`, {
      headers: { cookie: `${TOKEN_COOKIE}=${token}` },
      signal: abort.signal,
    });
    expect(res.status, table).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text, table).toContain('event: snapshot');
    expect(text).toContain(`"table":"${table}"`);
  }
  expect(await mdbSubscribers(ports)).toBe(before + 2);
  abort.abort();
  let now = -1;
  for (let i = 0; i < 50 && now !== before; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 100));
    now = await mdbSubscribers(ports);
  }
  expect(now).toBe(before);
}
