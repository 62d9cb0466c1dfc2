/**
 * The heartbeat daemon against a running presence (real mdb and udb), reading a real utmp file
 * and real system users (useradd + getent).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, createMetricsRegistry, validateConfig } from '@lanctl/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  create,
  encodeUtmp,
  type PresencedService,
  presencedConfigSchema,
  UtmpType,
} from '../../services/presenced/src/index.ts';
import { deadPort, startWorld, TIMEOUT_SECONDS, until, type World } from './world.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const HOST = 'hbws1';
let world: World;
let alice: string;
let bob: string;
let utmp: string;
const daemons: PresencedService[] = [];
let child: ChildProcess | null = null;

/** The utmp file as login(1)/lightdm write it: one USER_PROCESS entry a session. */
function loggedIn(...users: string[]): void {
  const boot = {
    type: UtmpType.BOOT_TIME,
    pid: 0,
    line: '~',
    id: '~~',
    user: 'reboot',
    host: '',
    time: 1,
  };
  const sessions = users.map((user, i) => ({
    type: UtmpType.USER_PROCESS,
    pid: process.pid, // alive, as `who` requires
    line: `tty${i + 1}`,
    id: `${i + 1}`,
    user,
    host: '',
    time: 1_767_225_600,
  }));
  writeFileSync(utmp, encodeUtmp([boot, ...sessions]));
}

function config(overrides: Record<string, unknown> = {}) {
  return validateConfig('test', presencedConfigSchema, {
    presence_url: world.presenceUrl,
    token_file: world.tokenFile,
    hostname: HOST,
    interval_seconds: 0.2,
    retry_seconds: 0.1,
    utmp_file: utmp,
    listen: { port: 0 },
    ...overrides,
  });
}

async function startDaemon(overrides: Record<string, unknown> = {}) {
  const daemon = create(config(overrides), {
    logger: createLogger('presenced', { silent: true }),
    metrics: createMetricsRegistry(),
    token: () => readFileSync(world.tokenFile, 'utf8').trim(),
  });
  daemons.push(daemon);
  const http = await daemon.start();
  const metric = async (name: string) => {
    const text = await (await fetch(`${http.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
    return line ? Number(line.split(' ').at(-1)) : 0;
  };
  return { daemon, http, metric };
}

beforeAll(async () => {
  world = await startWorld();
  utmp = join(world.dir.path, 'utmp');
  loggedIn();
  await world.addMachine(HOST);
  alice = await world.addUser();
  bob = await world.addUser();
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  for (const d of daemons) await d.stop();
  await world?.close();
});

describe('presenced heartbeats', () => {
  it('keeps the one managed user’s session alive past the timeout, and nothing else', async () => {
    const { daemon, metric } = await startDaemon();
    await until(async () => daemon.status().state.kind === 'idle', 'an idle round');
    expect(await world.sessions()).toEqual([]);

    loggedIn('root', alice);
    await until(async () => (await world.sessions()).length > 0, 'the session');
    expect(await world.sessions()).toEqual([`${alice}@${HOST}`]);
    expect(await metric('lanctl_presenced_managed_users')).toBe(1);

    // Twice 2/3 of the timeout on presence's clock, with heartbeats in between.
    for (let i = 0; i < 2; i++) {
      world.advance((TIMEOUT_SECONDS * 2) / 3);
      const sent = await metric('lanctl_presenced_heartbeats_sent_total');
      await until(
        async () => (await metric('lanctl_presenced_heartbeats_sent_total')) >= sent + 2,
        'heartbeats',
      );
    }
    expect(await world.sessions()).toEqual([`${alice}@${HOST}`]);
    expect(daemon.health()).toMatchObject({
      ok: true,
      state: { kind: 'heartbeating', login: alice },
    });
    expect(await metric('lanctl_presenced_last_success_timestamp_seconds')).toBeGreaterThan(0);

    // Two managed users: no heartbeat, so the session expires (SADM's rule).
    loggedIn(alice, bob);
    await until(async () => daemon.status().state.kind === 'several_users', 'several users');
    const sent = await metric('lanctl_presenced_heartbeats_sent_total');
    const skipped = await metric('lanctl_presenced_heartbeats_skipped_total');
    await until(
      async () => (await metric('lanctl_presenced_heartbeats_skipped_total')) >= skipped + 2,
      'skipped rounds',
    );
    expect(await metric('lanctl_presenced_heartbeats_sent_total')).toBe(sent);
    world.advance(TIMEOUT_SECONDS + 1);
    expect(await world.sessions()).toEqual([]);

    // Nobody: nothing sent.
    loggedIn();
    await until(async () => daemon.status().state.kind === 'idle', 'idle again');
    const idleSent = await metric('lanctl_presenced_heartbeats_sent_total');
    const failed = await metric('lanctl_presenced_heartbeats_failed_total');
    const rounds = await metric('lanctl_presenced_rounds_total');
    await until(
      async () => (await metric('lanctl_presenced_rounds_total')) >= rounds + 2,
      'idle rounds',
    );
    expect(await metric('lanctl_presenced_heartbeats_sent_total')).toBe(idleSent);
    expect(failed).toBe(0);
    await daemon.stop();
  }, 60_000);

  it('reports presence down in /healthz and counts the failures', async () => {
    loggedIn(alice);
    const { http, metric } = await startDaemon({
      presence_url: `http://127.0.0.1:${await deadPort()}`,
    });
    await until(
      async () => (await metric('lanctl_presenced_heartbeats_failed_total')) >= 2,
      'failures',
    );
    const health = await (await fetch(`${http.url}/healthz`)).json();
    expect(health).toMatchObject({
      ok: false,
      degraded: true,
      state: { kind: 'failing', reason: 'unreachable' },
    });
    loggedIn();
  }, 30_000);

  it('runs as a process and stops cleanly on SIGTERM', async () => {
    loggedIn(bob);
    const file = join(world.dir.path, 'presenced.yml');
    writeFileSync(
      file,
      [
        `presence_url: ${world.presenceUrl}`,
        `token_file: ${world.tokenFile}`,
        `hostname: ${HOST}`,
        'interval_seconds: 0.2',
        `utmp_file: ${utmp}`,
        'listen: { host: 127.0.0.1, port: 0 }',
        '',
      ].join('\n'),
    );
    const wired = readFileSync(join(ROOT, 'cli/src/services.ts'), 'utf8').includes(
      '@lanctl/presenced/main',
    );
    const main = join(ROOT, 'services/presenced/src/main.ts');
    const argv = wired
      ? [join(ROOT, 'cli/bin/lanctl'), 'serve', 'presenced', '--config', file]
      : [
          process.execPath,
          '--import',
          'tsx',
          '-e',
          `import(${JSON.stringify(main)}).then((m) => m.main(['--config', ${JSON.stringify(file)}]))`,
        ];
    const proc = spawn(argv[0] as string, argv.slice(1), {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let output = '';
    proc.stdout?.on('data', (d) => (output += d));
    proc.stderr?.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    await until(
      async () =>
        (await world.sessions()).includes(`${bob}@${HOST}`) &&
        output.includes('"message":"sending heartbeats"'),
      `bob's session and its log line (${output})`,
      30_000,
    );
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toMatch(/"message":"stopped"/);
  }, 60_000);
});
