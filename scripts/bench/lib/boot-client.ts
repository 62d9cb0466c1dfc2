/**
 * `pnpm bench:boot`'s load: `--count` GETs of `--url` started at once, each on its own
 * connection (as separate machines would), the body counted and dropped; the first `--hash`
 * bodies are also hashed. Prints one JSON line: per download its start and end (ms, epoch),
 * status, bytes and, if hashed, sha256.
 *
 *   node scripts/bench/lib/boot-client.ts --url URL --count 150 [--hash 1]
 */
import { createHash } from 'node:crypto';
import { get } from 'node:http';
import { parseArgs } from 'node:util';

export interface Download {
  start: number;
  end: number;
  status: number;
  bytes: number;
  sha256?: string;
  error?: string;
}

function download(url: string, hash: boolean): Promise<Download> {
  const start = performance.timeOrigin + performance.now();
  const done = (d: Omit<Download, 'start' | 'end'>): Download => ({
    start,
    end: performance.timeOrigin + performance.now(),
    ...d,
  });
  return new Promise((resolve) => {
    const req = get(url, { agent: false }, (res) => {
      const h = hash ? createHash('sha256') : null;
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        h?.update(chunk);
      });
      res.on('end', () =>
        resolve(
          done({ status: res.statusCode ?? 0, bytes, ...(h ? { sha256: h.digest('hex') } : {}) }),
        ),
      );
      res.on('error', (e) =>
        resolve(done({ status: res.statusCode ?? 0, bytes, error: e.message })),
      );
    });
    req.setTimeout(120_000, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve(done({ status: 0, bytes: 0, error: e.message })));
  });
}

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    count: { type: 'string', default: '150' },
    hash: { type: 'string', default: '1' },
  },
});
if (!values.url) throw new Error('--url is required');
const count = Number(values.count);
const hashes = Number(values.hash);
const url = values.url;
const results = await Promise.all(
  Array.from({ length: count }, (_, i) => download(url, i < hashes)),
);
process.stdout.write(`${JSON.stringify(results)}\n`);
