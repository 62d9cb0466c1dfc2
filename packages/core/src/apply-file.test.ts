import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  ApplyFileError,
  applyFile,
  createGeneratorService,
  createRenderLoop,
  type OnRecords,
} from './apply-file.ts';
import { createLogger } from './logging.ts';
import { createMetricsRegistry } from './metrics.ts';

const root = mkdtempSync(join(tmpdir(), 'lanctl-apply-file-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A fresh empty directory per test, so leftover temp files are easy to spot. */
function freshDir(): string {
  const dir = join(root, `t${n++}`);
  mkdirSync(dir);
  return dir;
}

const modeOf = (path: string) => statSync(path).mode & 0o7777;
const isRoot = process.getuid?.() === 0;

describe('applyFile', () => {
  it('creates a missing file with the exact mode, whatever the umask, and runs onChanged', async () => {
    const path = join(freshDir(), 'passwd');
    const onChanged = vi.fn();
    const previous = process.umask(0o077);
    try {
      expect(
        await applyFile({ path, content: 'root:x:0:0::/root:/bin/sh\n', mode: 0o644, onChanged }),
      ).toBe('written');
    } finally {
      process.umask(previous);
    }
    expect(readFileSync(path, 'utf8')).toBe('root:x:0:0::/root:/bin/sh\n');
    expect(modeOf(path)).toBe(0o644);
    expect(onChanged).toHaveBeenCalledOnce();
    expect(readdirSync(dirname(path))).toEqual(['passwd']);
  });

  it('does not touch a file that already holds the content, mode and owner', async () => {
    const path = join(freshDir(), 'group');
    await applyFile({ path, content: 'a\n', mode: 0o644 });
    const before = statSync(path);
    const onChanged = vi.fn();
    const validate = vi.fn(async () => {});
    expect(
      await applyFile({ path, content: Buffer.from('a\n'), mode: 0o644, onChanged, validate }),
    ).toBe('unchanged');
    const after = statSync(path);
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(onChanged).not.toHaveBeenCalled();
    expect(validate).not.toHaveBeenCalled();
  });

  it('replaces a changed file by rename (a new inode), leaving no temp file', async () => {
    const dir = freshDir();
    const path = join(dir, 'shadow');
    writeFileSync(path, 'old content, longer than the new one\n', { mode: 0o600 });
    const before = statSync(path);
    expect(await applyFile({ path, content: 'new\n', mode: 0o640 })).toBe('written');
    expect(readFileSync(path, 'utf8')).toBe('new\n');
    expect(statSync(path).ino).not.toBe(before.ino);
    expect(modeOf(path)).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['shadow']);
  });

  it('rewrites a file whose content is right but whose mode is not', async () => {
    const path = join(freshDir(), 'shadow');
    writeFileSync(path, 'same\n', { mode: 0o644 });
    const onChanged = vi.fn();
    expect(await applyFile({ path, content: 'same\n', mode: 0o640, onChanged })).toBe('written');
    expect(modeOf(path)).toBe(0o640);
    expect(onChanged).toHaveBeenCalledOnce();
  });

  it('validates a complete temp file in the same directory, with its final mode', async () => {
    const dir = freshDir();
    const path = join(dir, 'dhcpd.conf');
    let seen: { dir: string; content: string; mode: number } | undefined;
    await applyFile({
      path,
      content: 'host a {}\n',
      mode: 0o644,
      validate: async (tmp) => {
        seen = { dir: dirname(tmp), content: readFileSync(tmp, 'utf8'), mode: modeOf(tmp) };
      },
    });
    expect(seen).toEqual({ dir, content: 'host a {}\n', mode: 0o644 });
  });

  it('keeps the old file, removes the temp file and throws when validation fails', async () => {
    const dir = freshDir();
    const path = join(dir, 'dhcpd.conf');
    writeFileSync(path, 'good\n', { mode: 0o644 });
    const onChanged = vi.fn();
    const attempt = applyFile({
      path,
      content: 'bad\n',
      mode: 0o644,
      onChanged,
      validate: async () => {
        throw new Error('dhcpd -t: syntax error line 1');
      },
    });
    await expect(attempt).rejects.toThrow(/dhcpd.conf: not replaced: dhcpd -t: syntax error/);
    await expect(attempt).rejects.toMatchObject({ written: false, name: 'ApplyFileError' });
    expect(readFileSync(path, 'utf8')).toBe('good\n');
    expect(readdirSync(dir)).toEqual(['dhcpd.conf']);
    expect(onChanged).not.toHaveBeenCalled();
  });

  it('throws without creating anything when the directory does not exist', async () => {
    const dir = freshDir();
    await expect(
      applyFile({ path: join(dir, 'no', 'such'), content: 'x', mode: 0o644 }),
    ).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('throws and leaves the target alone when the rename fails (target is a directory)', async () => {
    const dir = freshDir();
    const path = join(dir, 'authorized_keys');
    mkdirSync(path);
    writeFileSync(join(path, 'inside'), 'kept');
    await expect(applyFile({ path, content: 'x', mode: 0o600 })).rejects.toBeInstanceOf(
      ApplyFileError,
    );
    expect(readFileSync(join(path, 'inside'), 'utf8')).toBe('kept');
    expect(readdirSync(dir)).toEqual(['authorized_keys']);
  });

  it('reports a failed onChanged as written (the file is in place, the reload is not)', async () => {
    const path = join(freshDir(), 'zone');
    const attempt = applyFile({
      path,
      content: 'z\n',
      mode: 0o644,
      onChanged: () => {
        throw new Error('rndc reload: connection refused');
      },
    });
    await expect(attempt).rejects.toMatchObject({ written: true });
    await expect(attempt).rejects.toThrow(/zone: written, but then: rndc reload/);
    expect(readFileSync(path, 'utf8')).toBe('z\n');
  });

  it('sets the owner and counts a wrong owner as a change', async () => {
    const path = join(freshDir(), 'owned');
    const uid = process.getuid!();
    const gid = process.getgid!();
    expect(await applyFile({ path, content: 'o', mode: 0o600, owner: { uid, gid } })).toBe(
      'written',
    );
    expect(statSync(path)).toMatchObject({ uid, gid });
    expect(await applyFile({ path, content: 'o', mode: 0o600, owner: { uid, gid } })).toBe(
      'unchanged',
    );
  });

  it.skipIf(!isRoot)('chowns to another user and group (needs root: CAP_CHOWN)', async () => {
    const path = join(freshDir(), 'shadow');
    await applyFile({ path, content: 's', mode: 0o640, owner: { uid: 0, gid: 0 } });
    expect(await applyFile({ path, content: 's', mode: 0o640, owner: { uid: 0, gid: 42 } })).toBe(
      'written',
    );
    expect(statSync(path)).toMatchObject({ uid: 0, gid: 42 });
  });
});

describe('createRenderLoop', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('renders one input at a time, in submission order', async () => {
    const events: string[] = [];
    const loop = createRenderLoop<string, { result: string }>({
      render: async (input) => {
        events.push(`start ${input}`);
        await sleep(input === 'a' ? 30 : 1);
        events.push(`end ${input}`);
        return { result: 'written' };
      },
      succeeded: (o) => o.result === 'written',
      reapplyMs: 0,
    });
    await Promise.all([loop.submit('a', 1), loop.submit('b', 2), loop.submit('c', 3)]);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(loop.appliedRevision).toBe(3);
  });

  it('moves the applied revision on success only, and records a throw as failed', async () => {
    const results = ['written', 'refused'];
    const loop = createRenderLoop<number, { result: string; reason?: string }>({
      render: async (n) => {
        if (n === 3) throw new Error('disk full');
        return { result: results[n - 1]!, reason: n === 2 ? 'unparsable' : undefined };
      },
      succeeded: (o) => o.result === 'written',
      reapplyMs: 0,
    });
    expect(loop.healthy).toBe(false);
    await loop.submit(1, 10);
    expect([loop.healthy, loop.appliedRevision]).toEqual([true, 10]);
    await loop.submit(2, 11);
    expect([loop.healthy, loop.appliedRevision, loop.last?.reason]).toEqual([
      false,
      10,
      'unparsable',
    ]);
    await loop.submit(3, 12);
    expect(loop.last).toEqual({ result: 'failed', reason: 'disk full' });
    expect(loop.appliedRevision).toBe(10);
  });

  it('re-renders the last input every reapplyMs once started, until stopped', async () => {
    const seen: string[] = [];
    const loop = createRenderLoop<string, { result: string }>({
      render: async (input) => {
        seen.push(input);
        return { result: 'unchanged' };
      },
      succeeded: () => true,
      reapplyMs: 20,
    });
    loop.start();
    await sleep(60);
    expect(seen).toEqual([]); // nothing to re-render before a first input
    await loop.submit('x', 1);
    await sleep(90);
    await loop.stop();
    const count = seen.length;
    expect(count).toBeGreaterThanOrEqual(3);
    expect(new Set(seen)).toEqual(new Set(['x']));
    await sleep(50);
    expect(seen.length).toBe(count);
  });
});

describe('createGeneratorService', () => {
  /** A stream driven by the test: `push` hands a batch on as the sync client would. */
  function fakeStream() {
    let onRecords: OnRecords<string> | undefined;
    const stream = {
      connected: false,
      revision: 0,
      started: false,
      start() {
        stream.started = true;
        stream.connected = true;
      },
      async stop() {
        stream.connected = false;
      },
      push(records: string[], news: boolean, revision: number) {
        stream.revision = revision;
        return onRecords!(new Map(records.map((r) => [r, r])), news, revision);
      },
    };
    return {
      stream,
      subscribe: (cb: OnRecords<string>) => {
        onRecords = cb;
        return stream;
      },
    };
  }

  it('renders on news, skips batches without news while healthy, and reports it all', async () => {
    const { stream, subscribe } = fakeStream();
    const renders: string[][] = [];
    let result = 'written';
    const service = createGeneratorService<string, { result: string; reason?: string }>({
      service: 'demo-gen',
      logger: createLogger('demo-gen', { silent: true }),
      metrics: createMetricsRegistry(),
      listen: { host: '127.0.0.1', port: 0 },
      render: async (records) => {
        renders.push(records);
        return result === 'written' ? { result } : { result, reason: 'bad line' };
      },
      succeeded: (o) => o.result === 'written',
      reapplyMs: 0,
      subscribe,
    });
    expect(stream.started).toBe(false); // nothing happens before start()
    const { url } = await service.start();
    try {
      await stream.push(['a', 'b'], true, 5);
      await stream.push(['a', 'b'], false, 6);
      expect(renders).toEqual([['a', 'b']]);
      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({
        ok: true,
        connected: true,
        revision: 6,
        applied_revision: 5,
        last_result: 'written',
        last_error: null,
      });
      const text = await (await fetch(`${url}/metrics`)).text();
      expect(text).toMatch(/^lanctl_demo_gen_stream_connected 1$/m);
      expect(text).toMatch(/^lanctl_demo_gen_applied_revision 5$/m);
      result = 'refused';
      await stream.push(['a'], true, 7);
      await stream.push(['a'], false, 8); // not healthy: rendered again
      expect(renders).toHaveLength(3);
      expect(service.status()).toMatchObject({
        ok: false,
        last_error: 'bad line',
        applied_revision: 5,
      });
      expect((await fetch(`${url}/healthz`)).status).toBe(503);
    } finally {
      await service.stop();
    }
    expect(stream.connected).toBe(false);
  });
});
