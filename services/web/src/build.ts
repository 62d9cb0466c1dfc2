import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** services/web: the Vite project (index.html, vite.config.ts, src/ui). */
export const WEB_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where `pnpm build:web` and `ensureWebBuilt` put the built UI. */
export const WEB_DIST = join(WEB_ROOT, 'dist');

/** The newest modification time of the UI's sources (tests excluded), in ms. */
function newestSource(): number {
  const files = ['index.html', 'vite.config.ts', 'package.json'].map((f) => join(WEB_ROOT, f));
  for (const entry of readdirSync(join(WEB_ROOT, 'src', 'ui'), {
    withFileTypes: true,
    recursive: true,
  })) {
    if (entry.isFile() && !entry.name.includes('.test.')) {
      files.push(join(entry.parentPath, entry.name));
    }
  }
  return Math.max(...files.filter(existsSync).map((f) => statSync(f).mtimeMs));
}

/** True when dist is missing or older than a source (a fresh clone, a pull, an edit). */
export function webBuildIsStale(dist = WEB_DIST): boolean {
  const index = join(dist, 'index.html');
  return !existsSync(index) || statSync(index).mtimeMs < newestSource();
}

/**
 * Builds the UI with Vite if dist is missing or stale, into a temporary folder renamed into
 * place, so a concurrent build or a running origin never sees half a dist. Needs the dev
 * dependencies (vite): a production install ships dist built.
 */
export async function ensureWebBuilt(dist = WEB_DIST): Promise<'fresh' | 'built'> {
  if (!webBuildIsStale(dist)) return 'fresh';
  const tmp = `${dist}.tmp-${process.pid}-${Date.now()}`;
  const { build } = await import('vite');
  try {
    await build({
      configFile: join(WEB_ROOT, 'vite.config.ts'),
      root: WEB_ROOT,
      logLevel: 'error',
      build: { outDir: tmp, emptyOutDir: true },
    });
    rmSync(dist, { recursive: true, force: true });
    try {
      renameSync(tmp, dist);
    } catch (e) {
      // Another process renamed its own build into place first: that one is as good.
      if (!existsSync(join(dist, 'index.html'))) throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return 'built';
}
