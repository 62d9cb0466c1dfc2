import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The web UI: plain Vite with esbuild's JSX (no React plugin), every asset bundled (no CDN),
 * hashed file names under assets/ so the origin can cache them for a year.
 */
export default defineConfig(({ command }) => ({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  // A build is React's production build whatever NODE_ENV the caller has (vitest sets `test`):
  // otherwise a dist built by the test suite, then served by `lanctl start`, would be React's
  // development build. `vite services/web` (the dev server) keeps the development build.
  esbuild: { jsx: 'automatic', jsxDev: command !== 'build' },
  define: command === 'build' ? { 'process.env.NODE_ENV': JSON.stringify('production') } : {},
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    // The machines view is the app's main screen: one bundle, no waterfall of chunks.
    chunkSizeWarningLimit: 1000,
  },
  server: {
    // `vite services/web` during development: the API of a running `lanctl start`.
    proxy: { '/api': 'http://127.0.0.1:8080', '/usermap': 'http://127.0.0.1:8080' },
  },
}));
