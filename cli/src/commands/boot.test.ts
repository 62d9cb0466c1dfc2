/**
 * `lanctl boot log|status` in process against a small HTTP fixture standing for the netboot
 * timeline API behind the origin (answers built with @lanctl/boot, as the service builds them).
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { fromNetboot, lastBoot, type NetbootEvent } from '@lanctl/boot';
import type { BootStatus, MachineBootTimeline } from '@lanctl/client';
import { type Listening, listen } from '@lanctl/core';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerBoot } from './boot.ts';

const TOKEN = 'test-token';
const T = Date.parse('2026-11-22T10:00:00.000Z');
const net = (at: number, e: Partial<NetbootEvent>): NetbootEvent => ({
  at: T + at,
  ip: '192.168.0.11',
  mac: null,
  kind: 'bootstrap',
  path: '/bootstrap',
  status: 200,
  outcome: 'served',
  detail: null,
  ...e,
});
const boot = lastBoot(
  fromNetboot([
    net(0, {}),
    net(100, { kind: 'script', outcome: 'faulty', status: 403, detail: 'no display' }),
  ]),
);
const TIMELINE: MachineBootTimeline = {
  hostname: 'r01p01',
  mac: '52:54:00:aa:00:01',
  ip: '192.168.0.11',
  sources: { dhcp: 'unavailable: ECONNREFUSED', tftp: 'ok', netboot: 'ok' },
  boot,
};
const STATUS: BootStatus = {
  room: 'pasteur',
  sources: { dhcp: 'ok', tftp: 'ok', netboot: 'ok' },
  machines: [
    {
      hostname: 'r01p01',
      mac: TIMELINE.mac,
      ip: '192.168.0.11',
      stage: 'script',
      ok: false,
      last_at: boot.last_at,
      verdict: boot.verdict,
    },
    {
      hostname: 'r01p02',
      mac: '52:54:00:aa:00:02',
      ip: '192.168.0.12',
      stage: null,
      ok: false,
      last_at: null,
      verdict: 'no boot recorded',
    },
  ],
};

let server: Listening;
const seen: string[] = [];
function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** The two routes of the timeline API, token checked. */
function handle(req: IncomingMessage, res: ServerResponse): void {
  seen.push(req.url ?? '');
  const url = new URL(req.url ?? '/', 'http://fixture');
  if (req.headers.authorization !== `Bearer ${TOKEN}`) {
    send(res, 401, {
      error: { code: 'unauthorized', message: 'a valid bearer token is required' },
    });
    return;
  }
  const machine = /^\/api\/v1\/machines\/([^/]+)\/boot$/.exec(url.pathname);
  if (machine?.[1] === 'r01p01') send(res, 200, TIMELINE);
  else if (machine) {
    const message = `machine ${machine[1]} not found`;
    send(res, 404, { error: { code: 'not_found', message } });
  } else if (url.pathname === '/api/v1/boot/status') {
    send(res, 200, { ...STATUS, room: url.searchParams.get('room') });
  } else send(res, 404, { error: { code: 'not_found', message: 'no such route' } });
}

beforeAll(async () => {
  server = await listen(handle, '127.0.0.1', 0);
});
afterAll(() => server?.close());
afterEach(() => vi.restoreAllMocks());

/** Runs `lanctl boot ARGS` in process; returns its exit code and output. */
async function lanctl(args: string, token = TOKEN) {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  class Exit extends Error {
    constructor(readonly code: number) {
      super(`exit ${code}`);
    }
  }
  vi.spyOn(process, 'exit').mockImplementation((code) => {
    throw new Exit(Number(code ?? 0));
  });
  const program = new Command('lanctl').exitOverride();
  registerBoot(program);
  const argv = [...args.split(' '), '--url', server.url, '--token', token];
  let code = 0;
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (!(e instanceof Exit)) throw e;
    code = e.code;
  }
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

describe('lanctl boot', () => {
  it('log prints the timeline, the verdict, and warns about a source it could not read', async () => {
    const r = await lanctl('boot log r01p01 --since 2026-11-22T09:00:00Z');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('warning: dhcp: unavailable: ECONNREFUSED\n');
    expect(r.stdout.split('\n')).toEqual([
      'r01p01 (192.168.0.11, 52:54:00:aa:00:01)',
      'boot started 2026-11-22T10:00:00.000Z',
      '10:00:00.000      +0 ms  netboot ok  iPXE bootstrap script  [192.168.0.11]',
      '10:00:00.100    +100 ms  netboot ERR boot script refused: machine is faulty (no display)  [192.168.0.11]',
      'verdict: boot script refused: machine is faulty (no display) (stage script)',
      '',
    ]);
    expect(seen).toContain('/api/v1/machines/r01p01/boot?since=2026-11-22T09%3A00%3A00Z');
    const json = await lanctl('boot log r01p01 --json');
    expect(JSON.parse(json.stdout)).toEqual(TIMELINE);
  });

  it('status prints one row per machine', async () => {
    const r = await lanctl('boot status --room pasteur');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      [
        'HOSTNAME  IP            STAGE   LAST                 VERDICT',
        'r01p01    192.168.0.11  script  2026-11-22 10:00:00  boot script refused: machine is faulty (no display)',
        'r01p02    192.168.0.12  -       -                    no boot recorded',
        '',
      ].join('\n'),
    );
    expect(seen).toContain('/api/v1/boot/status?room=pasteur');
    const json = JSON.parse((await lanctl('boot status --json')).stdout) as BootStatus;
    expect(json.room).toBeNull();
    expect(json.machines).toHaveLength(2);
  });

  it('fails with one line and exit 1 when the API refuses', async () => {
    expect(await lanctl('boot log nope')).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'lanctl: machine nope not found\n',
    });
    const denied = await lanctl('boot status', 'bad');
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^lanctl: a valid bearer token is required \(run `lanctl login`/);
  });
});
