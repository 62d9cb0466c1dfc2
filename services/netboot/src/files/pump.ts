import type { FileHandle } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';

export interface Pumped {
  /** True when every byte was handed to the socket and the response ended. */
  complete: boolean;
  /** Bytes read from the file for this response. */
  bytes: number;
}

/**
 * Copies [start, start + length) of the file to the response through two buffers taken from
 * `pool` and reused for the whole transfer: the next read runs while the previous chunk is being
 * written, and a buffer is read into again only once its write has completed. Memory per
 * transfer is therefore 2 × chunk whatever the client's speed, with no garbage per chunk
 * (a read stream allocates a new buffer per read). Back-pressure is the write callback: a slow
 * client holds exactly one chunk in flight. Never throws; closes nothing (the caller owns the
 * handle). A client that goes away ends the loop at the next step.
 */
export async function pump(
  handle: FileHandle,
  res: ServerResponse,
  start: number,
  length: number,
  pool: BufferPool,
): Promise<Pumped> {
  const first = pool.take();
  // A body of one chunk or less is one read: the second buffer would never be used.
  const second = length > first.length ? pool.take() : first;
  const buffers = [first, second] as const;
  const result = await copy(handle, res, start, length, buffers);
  // Only a completed transfer has no write in flight: an aborted one's buffers are left to GC.
  if (result.complete) for (const b of new Set(buffers)) pool.give(b);
  return result;
}

async function copy(
  handle: FileHandle,
  res: ServerResponse,
  start: number,
  length: number,
  buffers: readonly [Buffer, Buffer],
): Promise<Pumped> {
  const chunk = buffers[0].length;
  const gone = new Promise<false>((resolve) => {
    if (res.destroyed) resolve(false);
    res.once('close', () => resolve(false));
  });
  let read = 0;
  let writing: Promise<boolean> = Promise.resolve(true);
  try {
    for (let i = 0; read < length; i ^= 1) {
      const buffer = buffers[i as 0 | 1];
      const want = Math.min(chunk, length - read);
      const got = await handle.read(buffer, 0, want, start + read);
      if (got.bytesRead === 0) break; // the file was truncated under us
      read += got.bytesRead;
      // The other buffer's write must be done before the loop reads into it again.
      if (!(await Promise.race([writing, gone]))) return { complete: false, bytes: read };
      writing = write(res, buffer.subarray(0, got.bytesRead));
    }
    if (!(await Promise.race([writing, gone]))) return { complete: false, bytes: read };
    if (read !== length) return { complete: false, bytes: read };
    const ended = new Promise<boolean>((resolve) => res.end(() => resolve(true)));
    return { complete: await Promise.race([ended, gone]), bytes: read };
  } catch {
    return { complete: false, bytes: read };
  }
}

/**
 * Free read buffers shared by a router's transfers, so that a boot storm's memory is bounded
 * by the transfers running at once (2 buffers each) instead of waiting for the garbage
 * collector to free the buffers of finished ones.
 */
export interface BufferPool {
  take(): Buffer;
  give(buffer: Buffer): void;
  /** Buffers kept free at the moment. */
  free(): number;
}

export function createBufferPool(chunk: number, maxFree: number): BufferPool {
  const free: Buffer[] = [];
  return {
    take: () => free.pop() ?? Buffer.allocUnsafeSlow(chunk),
    give: (b) => {
      if (b.length === chunk && free.length < maxFree) free.push(b);
    },
    free: () => free.length,
  };
}

/** Resolves true once the chunk was handed to the kernel, false on a write error. */
function write(res: ServerResponse, data: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    res.write(data, (err) => resolve(!err));
  });
}
