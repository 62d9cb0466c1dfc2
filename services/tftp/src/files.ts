import { constants } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { ERROR_CODE, toNetascii } from '@lanctl/tftp-wire';
import { type Refusal, refuse, type TransferMode } from './policy.ts';

/** What the transfers read: the narrow interface the server needs (a fixture in tests). */
export interface FileSource {
  /** The bytes to send for `path` (relative to root) in `mode`, or why not. */
  read(path: string, mode: TransferMode): Promise<Uint8Array | Refusal>;
}

interface Entry {
  key: string;
  data: Uint8Array;
}

export interface FileStore extends FileSource {
  /** Files and bytes held in memory. */
  cached(): { files: number; bytes: number };
}

const codeOf = (e: unknown) => (e as NodeJS.ErrnoException).code;

function failure(e: unknown): Refusal {
  const code = codeOf(e);
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return refuse(ERROR_CODE.fileNotFound, 'not_found', 'file not found');
  }
  if (code === 'ELOOP')
    return refuse(ERROR_CODE.accessViolation, 'outside_root', 'access violation');
  return refuse(ERROR_CODE.accessViolation, 'not_readable', 'access violation');
}

/**
 * Files under `root`, read-only: the real path (symlinks resolved) must stay inside root, the
 * file must be a regular file, and it is opened O_RDONLY|O_NOFOLLOW. Contents are kept in memory
 * (least recently used out first, `cacheBytes` at most) keyed by real path, inode, size and
 * mtime, so a replaced file is read again; concurrent first reads of a file share one read.
 */
export function createFileStore(realRoot: string, cacheBytes: number): FileStore {
  const cache = new Map<string, Entry>();
  const pending = new Map<string, Promise<Uint8Array>>();
  let cachedBytes = 0;
  const inside = realRoot.endsWith(sep) ? realRoot : realRoot + sep;

  function remember(name: string, entry: Entry): void {
    if (entry.data.length > cacheBytes) return;
    const old = cache.get(name);
    if (old) cachedBytes -= old.data.length;
    cache.delete(name);
    cache.set(name, entry);
    cachedBytes += entry.data.length;
    for (const [oldest, e] of cache) {
      if (cachedBytes <= cacheBytes) break;
      cache.delete(oldest);
      cachedBytes -= e.data.length;
    }
  }

  async function load(real: string, mode: TransferMode): Promise<Uint8Array> {
    const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const raw = new Uint8Array(await handle.readFile());
      const data = mode === 'netascii' ? toNetascii(raw) : raw;
      const after = await handle.stat();
      remember(`${mode}:${real}`, { key: `${after.ino}:${after.size}:${after.mtimeMs}`, data });
      return data;
    } finally {
      await handle.close();
    }
  }

  async function read(path: string, mode: TransferMode): Promise<Uint8Array | Refusal> {
    try {
      const real = await realpath(join(realRoot, path));
      if (!real.startsWith(inside)) {
        return refuse(ERROR_CODE.accessViolation, 'outside_root', 'access violation');
      }
      const info = await stat(real);
      if (!info.isFile()) return refuse(ERROR_CODE.fileNotFound, 'not_found', 'not a regular file');
      const key = `${info.ino}:${info.size}:${info.mtimeMs}`;
      const name = `${mode}:${real}`;
      const hit = cache.get(name);
      if (hit && hit.key === key) {
        cache.delete(name);
        cache.set(name, hit);
        return hit.data;
      }
      const inflight = pending.get(`${name}@${key}`);
      if (inflight) return await inflight;
      const loading = load(real, mode);
      pending.set(`${name}@${key}`, loading);
      try {
        return await loading;
      } finally {
        pending.delete(`${name}@${key}`);
      }
    } catch (e) {
      return failure(e);
    }
  }

  return { read, cached: () => ({ files: cache.size, bytes: cachedBytes }) };
}
