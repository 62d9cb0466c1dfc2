/**
 * `lanctl serve tftp` on loopback against clients nobody here wrote: tftp-hpa (plain RFC 1350,
 * no options) and curl (tsize, blksize, timeout), plus a scripted client for what firmware does
 * (EDK2's tsize probe aborted with error 8) and what networks do (a lost ACK, a stray sender).
 */
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TempDir, tempDir } from '../../packages/testkit/src/index.ts';
import { type Daemon, IPXE, run, ScriptedClient, startDaemon } from './support.ts';

let dir: TempDir;
let root: string;
let out: string;
let daemon: Daemon;
const ipxe = (name: string) => readFileSync(join(IPXE, name));
/** 600 KiB: at blksize 8 that is 76 801 blocks, so block numbers wrap past 65535. */
const big = randomBytes(600 * 1024);
const notes = Buffer.from('line one\nline two\r\nbare\rcarriage return\n\x00nul\n');

beforeAll(async () => {
  dir = await tempDir('lanctl-tftp-');
  root = join(dir.path, 'root');
  out = join(dir.path, 'out');
  mkdirSync(root);
  mkdirSync(out);
  for (const f of ['undionly.kpxe', 'snponly.efi', 'ipxe.efi'])
    copyFileSync(join(IPXE, f), join(root, f));
  writeFileSync(join(root, 'big.bin'), big);
  writeFileSync(join(root, 'notes.txt'), notes);
  symlinkSync('undionly.kpxe', join(root, 'inside.kpxe'));
  symlinkSync('/etc/passwd', join(root, 'escape'));
  symlinkSync('/etc', join(root, 'etc-link'));
  daemon = await startDaemon(dir.path, {
    root,
    aliases: { 'prologin.kpxe': 'undionly.kpxe' },
    retransmit_timeout_ms: 500,
    retries: 3,
    max_blksize: 65464,
    max_windowsize: 64,
  });
});

afterAll(async () => {
  await daemon?.stop('SIGKILL');
  await dir?.cleanup();
});

const tftpGet = (remote: string, local: string, mode = 'binary') =>
  run([
    'tftp',
    '127.0.0.1',
    String(daemon.port),
    '-m',
    mode,
    '-c',
    'get',
    remote,
    join(out, local),
  ]);
const curlGet = (remote: string, local: string, blksize = 1468) =>
  run([
    'curl',
    '-sS',
    '--max-time',
    '20',
    '--tftp-blksize',
    String(blksize),
    '-o',
    join(out, local),
    `tftp://127.0.0.1:${daemon.port}/${remote}`,
  ]);
const fetched = (local: string) => readFileSync(join(out, local));

describe('real clients fetch the iPXE binaries byte for byte', () => {
  it.each(['undionly.kpxe', 'snponly.efi'])('tftp-hpa gets %s', async (name) => {
    const r = await tftpGet(name, `hpa-${name}`);
    expect(r.stderr + r.stdout).toBe('');
    expect(fetched(`hpa-${name}`).equals(ipxe(name))).toBe(true);
  });

  it.each(['undionly.kpxe', 'snponly.efi', 'ipxe.efi'])(
    'curl --tftp-blksize 1468 gets %s',
    async (name) => {
      const r = await curlGet(name, `curl-${name}`);
      expect(r.code, r.stderr).toBe(0);
      expect(fetched(`curl-${name}`).equals(ipxe(name))).toBe(true);
    },
  );

  it('serves an alias, a leading "/" and a symlink that stays inside root', async () => {
    expect((await curlGet('prologin.kpxe', 'alias')).code).toBe(0);
    expect(fetched('alias').equals(ipxe('undionly.kpxe'))).toBe(true);
    expect((await tftpGet('/undionly.kpxe', 'slash')).code).toBe(0);
    expect(fetched('slash').equals(ipxe('undionly.kpxe'))).toBe(true);
    expect((await tftpGet('inside.kpxe', 'inside')).code).toBe(0);
    expect(fetched('inside').equals(ipxe('undionly.kpxe'))).toBe(true);
  });

  it('sends netascii (tftp-hpa in ascii mode gets the original back)', async () => {
    const r = await tftpGet('notes.txt', 'notes.txt', 'ascii');
    expect(r.stderr + r.stdout).toBe('');
    expect(fetched('notes.txt').equals(notes)).toBe(true);
  });

  it('wraps block numbers past 65535 (curl, blksize 8, 76 801 blocks)', async () => {
    const r = await curlGet('big.bin', 'big.bin', 8);
    expect(r.code, r.stderr).toBe(0);
    expect(fetched('big.bin').equals(big)).toBe(true);
  });
});

describe('firmware and network behaviour', () => {
  it("answers EDK2's tsize probe, takes its error 8 quietly, then serves the download", async () => {
    const failedBefore = daemon.logs.filter((l) => l.message === 'transfer failed').length;
    const probe = await ScriptedClient.open();
    await probe.request(daemon.port, 'snponly.efi', [
      { name: 'tsize', value: '0' },
      { name: 'blksize', value: '1468' },
    ]);
    expect(await probe.expect()).toEqual({
      op: 'oack',
      options: [
        { name: 'tsize', value: String(ipxe('snponly.efi').length) },
        { name: 'blksize', value: '1468' },
      ],
    });
    await probe.send({ op: 'error', code: 8, message: 'User aborted the transfer' });
    // Nothing after the abort but, on a loaded machine, an OACK retransmitted before it arrived.
    for (let got = await probe.next(700); got; got = await probe.next(700)) {
      expect(got.packet.op).toBe('oack');
    }
    probe.close();

    const client = await ScriptedClient.open();
    await client.request(daemon.port, 'snponly.efi', [{ name: 'blksize', value: '1468' }]);
    const { data } = await client.download(1468);
    client.close();
    expect(data.equals(ipxe('snponly.efi'))).toBe(true);
    expect(await daemon.metric('lanctl_tftp_transfers_failed_total{reason="client_abort"}')).toBe(
      1,
    );
    expect(daemon.logs.filter((l) => l.message === 'transfer failed').length).toBe(failedBefore);
  });

  it('retransmits after a lost ACK and completes', async () => {
    const before = await daemon.metric('lanctl_tftp_retransmissions_total');
    const client = await ScriptedClient.open();
    await client.request(daemon.port, 'undionly.kpxe');
    const { data, seen } = await client.download(512, (block, count) => block === 3 && count === 1);
    client.close();
    expect(seen.get(3)).toBe(2);
    expect(data.equals(ipxe('undionly.kpxe'))).toBe(true);
    expect(await daemon.metric('lanctl_tftp_retransmissions_total')).toBeGreaterThan(before);
  });

  it('answers a stray sender with error 5 and goes on with the transfer', async () => {
    const client = await ScriptedClient.open();
    const stray = await ScriptedClient.open();
    await client.request(daemon.port, 'undionly.kpxe');
    const first = await client.expect();
    expect(first).toMatchObject({ op: 'data', block: 1 });
    await stray.send({ op: 'ack', block: 1 }, client.tid);
    expect(await stray.expect()).toEqual({ op: 'error', code: 5, message: 'unknown transfer ID' });
    stray.close();
    await client.send({ op: 'ack', block: 1 });
    const { data } = await client.download(512, undefined, 2);
    client.close();
    expect(
      Buffer.concat([(first as { data: Uint8Array }).data, data]).equals(ipxe('undionly.kpxe')),
    ).toBe(true);
  });

  it('drops a malformed datagram with a counter and keeps serving', async () => {
    const sock = createSocket('udp4');
    const send = (bytes: number[]) =>
      new Promise<void>((r) => sock.send(Buffer.from(bytes), daemon.port, '127.0.0.1', () => r()));
    await send([0, 9, 1]); // opcode 9
    await send([0, 4, 0, 7]); // an ACK to the request port
    sock.close();
    // The datagrams were sent before the scrape, but nothing orders two sockets' events.
    await daemon.metricReaches('lanctl_tftp_packets_dropped_total{reason="bad_opcode"}', 1);
    await daemon.metricReaches('lanctl_tftp_packets_dropped_total{reason="unexpected_opcode"}', 1);
    expect((await tftpGet('undionly.kpxe', 'after-drop')).code).toBe(0);
  });
});

describe('refusals', () => {
  it.each([
    ['../etc/passwd', 2],
    ['../../../../etc/passwd', 2],
    ['/etc/passwd', 1], // a leading "/" maps into root, where there is no etc/passwd
    ['escape', 2], // symlink to /etc/passwd
    ['etc-link/passwd', 2], // symlink to /etc
    ['UNDIONLY.KPXE', 1], // names are case-sensitive
    ['missing.efi', 1],
  ])('tftp-hpa get %s: error %i, nothing leaked', async (name, code) => {
    const local = `refused-${name.replaceAll('/', '_')}`;
    const r = await tftpGet(name, local);
    expect(r.stdout + r.stderr).toMatch(new RegExp(`Error code ${code}:`));
    const leaked = existsSync(join(out, local)) ? fetched(local) : Buffer.alloc(0);
    expect(leaked.length).toBe(0);
  });

  it('refuses a backslash path and a write request with error 2', async () => {
    const client = await ScriptedClient.open();
    await client.request(daemon.port, '..\\..\\etc\\passwd');
    expect(await client.expect()).toMatchObject({ op: 'error', code: 2 });
    await client.send({ op: 'wrq', filename: 'new.bin', mode: 'octet', options: [] }, daemon.port);
    expect(await client.expect()).toEqual({ op: 'error', code: 2, message: 'read-only server' });
    client.close();
    writeFileSync(join(out, 'up.bin'), 'x');
    const put = await run([
      'tftp',
      '127.0.0.1',
      String(daemon.port),
      '-m',
      'binary',
      '-c',
      'put',
      join(out, 'up.bin'),
      'up.bin',
    ]);
    expect(put.stdout + put.stderr).toMatch(/Error code 2/);
    expect(existsSync(join(root, 'up.bin'))).toBe(false);
  });

  it('curl reports a missing file as TFTP "not found" (exit 68)', async () => {
    expect((await curlGet('missing.efi', 'missing')).code).toBe(68);
  });
});

describe('transfer records (GET /api/v1/transfers, token with scope read)', () => {
  /** The newest `n` records, once the newest is `file` (a transfer is recorded when it ends). */
  async function newest(n: number, file: string) {
    for (let i = 0; ; i++) {
      const records = await daemon.transfers('127.0.0.1');
      if (records[0]?.file === file || i >= 100) return records.slice(0, n);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  it('records what tftp-hpa, curl and an EDK2-like size probe did, by client address', async () => {
    const size = ipxe('undionly.kpxe').length;
    expect((await tftpGet('undionly.kpxe', 'rec-hpa')).code).toBe(0);
    expect((await newest(1, 'undionly.kpxe'))[0]).toMatchObject({ outcome: 'done' });
    expect((await curlGet('prologin.kpxe', 'rec-curl')).code).toBe(0);
    expect((await newest(1, 'prologin.kpxe'))[0]).toMatchObject({ outcome: 'done' });
    const probe = await ScriptedClient.open();
    await probe.request(daemon.port, 'ipxe.efi', [{ name: 'tsize', value: '0' }]);
    expect(await probe.expect()).toMatchObject({ op: 'oack' });
    await probe.send({ op: 'error', code: 8, message: 'User aborted the transfer' });
    probe.close();
    await newest(1, 'ipxe.efi');
    expect((await curlGet('nope.efi', 'rec-missing')).code).toBe(68);
    const records = await newest(4, 'nope.efi');
    const row = (r: Record<string, unknown>) => [
      r.file,
      r.resolved,
      r.outcome,
      r.bytes,
      r.tsize,
      r.blksize,
      r.ip,
    ];
    expect(records.map(row)).toEqual([
      ['nope.efi', null, 'not-found', 0, null, null, '127.0.0.1'],
      ['ipxe.efi', 'ipxe.efi', 'size-probe', 0, ipxe('ipxe.efi').length, 512, '127.0.0.1'],
      ['prologin.kpxe', 'undionly.kpxe', 'done', size, size, 1468, '127.0.0.1'],
      ['undionly.kpxe', 'undionly.kpxe', 'done', size, null, 512, '127.0.0.1'],
    ]);
    expect(records[1]!.detail).toBe('User aborted the transfer');
    expect(records[0]!.detail).toMatch(/not found/i);
    expect(await daemon.transfers('127.0.0.2')).toEqual([]);
    const anonymous = await fetch(`${daemon.httpUrl}/api/v1/transfers?ip=127.0.0.1`);
    expect(anonymous.status).toBe(401);
  });
});

describe('shutdown', () => {
  it('SIGTERM ends transfers in flight with error 0 and exits 0', async () => {
    const client = await ScriptedClient.open();
    await client.request(daemon.port, 'big.bin', [{ name: 'blksize', value: '8' }]);
    expect(await client.expect()).toMatchObject({ op: 'oack' });
    const code = daemon.stop('SIGTERM');
    expect(await client.expect()).toEqual({
      op: 'error',
      code: 0,
      message: 'server shutting down',
    });
    client.close();
    expect(await code).toBe(0);
    expect(daemon.logs.at(-1)).toMatchObject({ message: 'stopped' });
  });
});
