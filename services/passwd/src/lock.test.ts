import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LockBusyError, lockAccountFile, lockAll } from './lock.ts';

const dir = mkdtempSync(join(tmpdir(), 'lanctl-lock-'));
const sleeper = spawn('sleep', ['60']);
afterAll(() => {
  sleeper.kill();
  rmSync(dir, { recursive: true, force: true });
});

/** A pid that existed and is gone. */
const deadPid = () => spawnSync('true').pid!;

describe("shadow-utils' lock files", () => {
  it('takes <file>.lock holding our pid, leaves no <file>.<pid>, and releases it', async () => {
    const path = join(dir, 'passwd');
    const release = await lockAccountFile(path);
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(String(process.pid));
    expect(readdirSync(dir)).toEqual(['passwd.lock']);
    await release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('is busy while a live process holds the lock', async () => {
    const path = join(dir, 'shadow');
    writeFileSync(`${path}.lock`, String(sleeper.pid));
    await expect(lockAccountFile(path)).rejects.toThrow(LockBusyError);
    await expect(lockAccountFile(path)).rejects.toThrow(`held by process ${sleeper.pid}`);
    expect(readFileSync(`${path}.lock`, 'utf8')).toBe(String(sleeper.pid));
    rmSync(`${path}.lock`);
  });

  it('takes over a stale lock (its process is gone, or it holds no pid)', async () => {
    for (const content of [String(deadPid()), 'garbage']) {
      const path = join(dir, 'group');
      writeFileSync(`${path}.lock`, content);
      const release = await lockAccountFile(path);
      expect(readFileSync(`${path}.lock`, 'utf8')).toBe(String(process.pid));
      await release();
    }
  });

  it('lockAll takes every lock or none', async () => {
    const paths = ['a', 'b', 'c'].map((f) => join(dir, f));
    writeFileSync(`${paths[2]}.lock`, String(sleeper.pid));
    await expect(lockAll(paths)).rejects.toThrow(LockBusyError);
    expect(existsSync(`${paths[0]}.lock`)).toBe(false);
    expect(existsSync(`${paths[1]}.lock`)).toBe(false);
    rmSync(`${paths[2]}.lock`);
    const release = await lockAll(paths);
    expect(paths.every((p) => existsSync(`${p}.lock`))).toBe(true);
    await release();
    expect(readdirSync(dir)).toEqual([]);
  });
});
