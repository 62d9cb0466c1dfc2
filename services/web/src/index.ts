/**
 * @lanctl/web: the web UI (a React single-page app under src/ui, built by Vite into dist) and
 * what serves it: `lanctl start`'s origin answers `/` with `createWebHandler`; in production
 * nginx serves dist itself. Not a daemon: no port, config or metrics of its own.
 */
export { ensureWebBuilt, WEB_DIST, WEB_ROOT, webBuildIsStale } from './build.ts';
export { createWebHandler, type WebHandler } from './serve.ts';
