import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The web UI: plain Vite with esbuild's JSX (no React plugin), every asset bundled (no CDN),
 * hashed file names under assets/ so the origin can cache them for a year.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  esbuild: { jsx: 'automatic' },
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
});
