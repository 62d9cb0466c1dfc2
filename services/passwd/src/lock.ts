import { link, readFile, unlink, writeFile } from 'node:fs/promises';

/** Another process (useradd, vipw, passwd) holds an account file's lock. */
export class LockBusyError extends Error {
  constructor(
    readonly lockPath: string,
    readonly holder: number,
  ) {
    super(`${lockPath} is held by process ${holder}`);
    this.name = 'LockBusyError';
  }
}

/**
 * Takes shadow-utils' lock on `path` (lib/commonio.c, what useradd, usermod, vipw and passwd
 * take): `<path>.<pid>` holding our pid, hard-linked to `<path>.lock`; a lock whose process is
 * gone is stale and replaced. Resolves to the release function; rejects with LockBusyError while
 * a live process holds it.
 */
export async function lockAccountFile(path: string): Promise<() => Promise<void>> {
  const pid = process.pid;
  const mine = `${path}.${pid}`;
  const lock = `${path}.lock`;
  await writeFile(mine, String(pid), { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await link(mine, lock);
        return () => unlink(lock).catch(() => {});
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = Number.parseInt(await readFile(lock, 'utf8').catch(() => '0'), 10);
      if (holder > 0 && holder !== pid && isAlive(holder)) throw new LockBusyError(lock, holder);
      await unlink(lock).catch(() => {}); // stale: its process is gone (a crash)
    }
    throw new LockBusyError(lock, 0);
  } finally {
    await unlink(mine).catch(() => {});
  }
}

/** Takes every lock in order, or none (releasing those taken when one is busy). */
export async function lockAll(paths: string[]): Promise<() => Promise<void>> {
  const releases: (() => Promise<void>)[] = [];
  const releaseAll = async () => {
    for (const release of releases.reverse()) await release();
  };
  try {
    for (const path of paths) releases.push(await lockAccountFile(path));
  } catch (e) {
    await releaseAll();
    throw e;
  }
  return releaseAll;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
