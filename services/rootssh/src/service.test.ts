import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { issueToken } from '@lanctl/auth';
import { createLogger, createMetricsRegistry, type Listening, validateConfig } from '@lanctl/core';
import { tempDir, waitFor } from '@lanctl/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUdb, type UdbHarness } from '../../udb/src/testing/harness.ts';
import { BEGIN, create, END, type RootsshService, rootsshConfigSchema } from './index.ts';

const HAND = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHandWritten ops@bastion';
const ROOTY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIRootyKey rooty@laptop';
const ROOTY2 = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQRooty2 rooty@desk';
const JDOE = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJdoeKey jdoe@pc';

/** The writer against a real udb over loopback sockets, on a root in a temp directory. */
describe('rootssh writer with a real udb', () => {
  let udb: UdbHarness;
  let dir: { path: string; cleanup(): Promise<void> };
  let root: string;
  let service: RootsshService;
  let listening: Listening;
  const logs: string[] = [];
  const keysFile = () => join(root, 'root', '.ssh', 'authorized_keys');
  const keys = () => {
    try {
      return readFileSync(keysFile(), 'utf8');
    } catch {
      return '';
    }
  };
  const block = () => keys().split(`${BEGIN}\n`)[1]?.split(END)[0] ?? '';

  function startWriter(): Promise<Listening> {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
    const config = validateConfig('test', rootsshConfigSchema, {
      upstream: udb.service.syncUrl,
      root,
      state_file: join(dir.path, 'users.json'),
      listen: { port: 0 },
      reapply_seconds: 1,
    });
    const token = issueToken(udb.keys.privateKey, { subject: 'rootssh', role: 'reader' });
    service = create(config, {
      logger: createLogger('rootssh', { stream }),
      metrics: createMetricsRegistry(),
      token: () => token,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    return service.start();
  }
  const call = async (method: string, path: string, body?: unknown) => {
    const reply = await udb.call(method, path, body, udb.keys.token('root'));
    expect(reply.status, JSON.stringify(reply.body)).toBeLessThan(300);
  };

  beforeAll(async () => {
    udb = await startUdb('sqlite');
    dir = await tempDir('lanctl-rootssh-');
    root = join(dir.path, 'root');
    mkdirSync(join(root, 'root'), { recursive: true });
    listening = await startWriter();
  });
  afterAll(async () => {
    await service?.stop();
    await udb?.close().catch(() => {});
    await dir?.cleanup();
  });

  it('creates root/.ssh (0700) and authorized_keys (0600) with an empty block at first', async () => {
    await waitFor(() => keys().includes(END), 'the file', 10_000);
    expect(keys()).toBe(`${BEGIN}\n${END}\n`);
    expect(statSync(join(root, 'root', '.ssh')).mode & 0o7777).toBe(0o700);
    expect(statSync(keysFile()).mode & 0o7777).toBe(0o600);
  });

  it("puts root users' keys in the block, keeps a hand-written key, never a non-root's key", async () => {
    writeFileSync(keysFile(), `${HAND}\n${keys()}`, { mode: 0o600 });
    await call('POST', '/api/v1/users', {
      login: 'jdoe',
      firstname: 'J',
      lastname: 'Doe',
      ssh_keys: [JDOE],
    });
    await call('POST', '/api/v1/users', {
      login: 'rooty',
      firstname: 'Root',
      lastname: 'Y',
      group: 'root',
      ssh_keys: [ROOTY],
    });
    await waitFor(() => block().includes(ROOTY), "rooty's key", 10_000);
    expect(keys()).toBe(`${HAND}\n${BEGIN}\n# rooty\n${ROOTY}\n${END}\n`);
    expect(keys()).not.toContain('JdoeKey');
  });

  it('follows key changes and a demotion, and keeps the hand-written key throughout', async () => {
    await call('PATCH', '/api/v1/users/rooty', { ssh_keys: [ROOTY, ROOTY2] });
    await waitFor(() => block().includes(ROOTY2), 'the second key', 10_000);
    await call('PATCH', '/api/v1/users/jdoe', { group: 'root' });
    await waitFor(() => block().includes(JDOE), 'jdoe promoted to root', 10_000);
    await call('PATCH', '/api/v1/users/jdoe', { group: 'user' });
    await waitFor(() => !block().includes(JDOE), 'jdoe demoted', 10_000);
    expect(keys()).toBe(`${HAND}\n${BEGIN}\n# rooty\n${ROOTY}\n${ROOTY2}\n${END}\n`);
  });

  it('refuses to write a file whose block is broken, logs why, and resumes once fixed', async () => {
    const broken = `${HAND}\n${BEGIN}\n${ROOTY}\n`;
    writeFileSync(keysFile(), broken);
    await call('PATCH', '/api/v1/users/rooty', { ssh_keys: [ROOTY2] });
    await waitFor(
      () => logs.some((l) => l.includes('not writing') && l.includes('without')),
      'the refusal',
      10_000,
    );
    expect(keys()).toBe(broken);
    const metrics = await (await fetch(`${listening.url}/metrics`)).text();
    expect(metrics).toMatch(/lanctl_rootssh_refusals_total\{reason="unparsable"\} [1-9]/);
    expect((await fetch(`${listening.url}/healthz`)).status).toBe(503);
    writeFileSync(keysFile(), `${HAND}\n`);
    await waitFor(
      () => keys() === `${HAND}\n${BEGIN}\n# rooty\n${ROOTY2}\n${END}\n`,
      'the fix',
      10_000,
    );
  });

  it('keeps its file when udb goes away, and a restart writes it from its state file', async () => {
    const written = keys();
    await udb.close();
    await waitFor(() => !service.status().connected, 'the disconnection', 10_000);
    expect(keys()).toBe(written);
    await service.stop();
    writeFileSync(keysFile(), `${HAND}\n`);
    listening = await startWriter();
    await waitFor(() => keys() === written, 'the block from the state file', 10_000);
  });
});
