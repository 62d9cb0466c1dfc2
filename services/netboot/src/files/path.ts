import { constants, type Stats } from 'node:fs';
import { type FileHandle, open, realpath, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';

/** Why a request path is refused; each is a label of the refusal counter. */
export type PathRefusal =
  | 'bad-encoding'
  | 'empty-segment'
  | 'dot-segment'
  | 'nul'
  | 'backslash'
  | 'encoded-slash'
  | 'too-long'
  | 'outside-root'
  | 'not-regular';

export type ParsedPath =
  | { ok: true; server: string; path: string }
  | { ok: false; reason: PathRefusal; server: string | null };

const MAX_PATH = 1024;

type Segment = { ok: true; name: string } | { ok: false; reason: PathRefusal };

/** One percent-decoded segment, or why it is refused. */
function decodeSegment(raw: string): Segment {
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    return { ok: false, reason: 'bad-encoding' };
  }
  if (name === '') return { ok: false, reason: 'empty-segment' };
  if (name === '.' || name === '..') return { ok: false, reason: 'dot-segment' };
  if (name.includes('\0')) return { ok: false, reason: 'nul' };
  if (name.includes('\\')) return { ok: false, reason: 'backslash' };
  if (name.includes('/')) return { ok: false, reason: 'encoded-slash' };
  return { ok: true, name };
}

/**
 * `/<server>/<relative path>` (the URL path below the mount point, query removed) → the server
 * name and a relative path whose every segment is a plain name: no `.`/`..` (encoded or not),
 * no empty segment, NUL, backslash or encoded slash. Pure; never throws.
 */
export function parseFilePath(urlPath: string): ParsedPath {
  if (urlPath.length > MAX_PATH) return { ok: false, reason: 'too-long', server: null };
  const raw = urlPath.startsWith('/') ? urlPath.slice(1) : urlPath;
  const names: string[] = [];
  for (const part of raw.split('/')) {
    const seg = decodeSegment(part);
    if (!seg.ok) return { ok: false, reason: seg.reason, server: names[0] ?? null };
    names.push(seg.name);
  }
  const [server, ...rest] = names;
  if (server === undefined || rest.length === 0) {
    return { ok: false, reason: 'empty-segment', server: server ?? null };
  }
  return { ok: true, server, path: rest.join('/') };
}

export type Resolved =
  | { ok: true; real: string; stats: Stats }
  | { ok: false; reason: 'not-found' | PathRefusal };

/**
 * The real path of `relative` under `realRoot` (itself a realpath): symlinks are followed but
 * the result must stay inside root, and it must be a regular file.
 */
export async function resolveFile(realRoot: string, relative: string): Promise<Resolved> {
  const inside = realRoot.endsWith(sep) ? realRoot : realRoot + sep;
  let real: string;
  try {
    real = await realpath(join(realRoot, relative));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'ELOOP' ? 'outside-root' : 'not-found' };
  }
  if (!real.startsWith(inside)) return { ok: false, reason: 'outside-root' };
  try {
    const stats = await stat(real);
    if (!stats.isFile()) return { ok: false, reason: 'not-regular' };
    return { ok: true, real, stats };
  } catch {
    return { ok: false, reason: 'not-found' };
  }
}

/** Opens the resolved file read-only without following a symlink swapped in since. */
export function openResolved(real: string): Promise<FileHandle> {
  return open(real, constants.O_RDONLY | constants.O_NOFOLLOW);
}
