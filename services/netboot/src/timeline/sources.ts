import type { DhcpBootEvent, TftpTransfer } from '@lanctl/boot';

/**
 * An HTTP API the timeline reads (dhcp's or tftp's), or null when not configured. A token given
 * as a function is read at each call (token files are rotated; `lanctl start` mints short ones).
 */
export type Source = { url: string; token: string | (() => string) } | null;

/** What a source gave: its items, and `ok`, `not configured` or `unavailable: <why>`. */
export interface Fetched<T> {
  items: T[];
  status: string;
}

/** Per call; a source slower than this is reported unavailable, the timeline still answers. */
export const SOURCE_TIMEOUT_MS = 2000;

async function getJson(source: NonNullable<Source>, path: string, timeoutMs: number) {
  const url = `${source.url.replace(/\/+$/, '')}/api/v1${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      headers: {
        authorization: `Bearer ${typeof source.token === 'function' ? source.token() : source.token}`,
        accept: 'application/json',
      },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    if (err.name === 'TimeoutError') throw new Error(`no answer within ${timeoutMs} ms`);
    throw new Error(err.cause?.code ?? err.cause?.message ?? err.message);
  }
  if (res.status !== 200) {
    const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
    throw new Error(`HTTP ${res.status}${body?.error?.message ? `: ${body.error.message}` : ''}`);
  }
  return (await res.json()) as Record<string, unknown>;
}

type Item = Record<string, unknown>;
const isObject = (v: unknown): v is Item => typeof v === 'object' && v !== null;
const isTime = (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v));
const isText = (v: unknown) => v === null || typeof v === 'string';

/** The fields the timeline reads, checked: another version's answer must not break it. */
const isDhcpEvent = (e: Item) =>
  isTime(e.at) && typeof e.type === 'string' && isText(e.address) && isText(e.kind);
const isTransfer = (e: Item) =>
  isTime(e.at) &&
  typeof e.ip === 'string' &&
  typeof e.file === 'string' &&
  typeof e.outcome === 'string' &&
  typeof e.bytes === 'number' &&
  typeof e.duration_ms === 'number';

async function fetchList<T>(
  source: Source,
  path: string,
  field: string,
  valid: (item: Item) => boolean,
  timeoutMs: number,
): Promise<Fetched<T>> {
  if (source === null) return { items: [], status: 'not configured' };
  try {
    const body = await getJson(source, path, timeoutMs);
    const items = body[field];
    if (!Array.isArray(items)) throw new Error(`answer without a "${field}" list`);
    const good = items.filter((i) => isObject(i) && valid(i));
    if (good.length < items.length) {
      const message = `${items.length - good.length} malformed item(s) in "${field}" left out`;
      return { items: good as T[], status: `partial: ${message}` };
    }
    return { items: good as T[], status: 'ok' };
  } catch (e) {
    return { items: [], status: `unavailable: ${(e as Error).message}` };
  }
}

/** dhcp's boot events of a MAC (newest first, at most 1000). */
export function fetchDhcp(source: Source, mac: string, timeoutMs = SOURCE_TIMEOUT_MS) {
  const query = `?mac=${encodeURIComponent(mac)}&limit=1000`;
  return fetchList<DhcpBootEvent>(source, `/boot-events${query}`, 'events', isDhcpEvent, timeoutMs);
}

/** tftp's transfers of each address, merged; the first failure names the source's status. */
export async function fetchTftp(
  source: Source,
  ips: string[],
  timeoutMs = SOURCE_TIMEOUT_MS,
): Promise<Fetched<TftpTransfer>> {
  if (source === null) return { items: [], status: 'not configured' };
  const all = await Promise.all(
    ips.map((ip) =>
      fetchList<TftpTransfer>(
        source,
        `/transfers?ip=${ip}&limit=100`,
        'transfers',
        isTransfer,
        timeoutMs,
      ),
    ),
  );
  const failed = all.find((f) => f.status !== 'ok');
  return { items: all.flatMap((f) => f.items), status: failed?.status ?? 'ok' };
}

/** Runs `work` on every item, at most `limit` at once, keeping the order of `items`. */
export async function mapBounded<T, R>(
  items: T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
