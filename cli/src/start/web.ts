import type { Logger } from '@lanctl/core';
import { createWebHandler, ensureWebBuilt, WEB_DIST, type WebHandler } from '@lanctl/web';

/**
 * The web UI for the origin: built with Vite on the first start of a fresh clone (or after its
 * sources changed), then served from memory. A failed build is logged, not fatal: the API works
 * without the UI, and `/` then says how to build it.
 */
export async function loadWebUi(logger: Logger): Promise<WebHandler | undefined> {
  try {
    const started = Date.now();
    if ((await ensureWebBuilt()) === 'built') {
      logger.info('web UI built', { dist: WEB_DIST, ms: Date.now() - started });
    }
    return createWebHandler(WEB_DIST);
  } catch (e) {
    logger.warn('web UI unavailable: run pnpm build:web', { error: (e as Error).message });
    return undefined;
  }
}
