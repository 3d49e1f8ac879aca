// Builds the merchant UI into pkg/ui/static, which pkg/ui serves under /ui (see docs/ui.md).
// `npm run dev:ui` serves the source with hot reload and proxies the APIs to CATCAST_API_URL.
import { defineConfig } from 'vite';

const root = decodeURIComponent(new URL('.', import.meta.url).pathname);
const api = globalThis.process?.env.CATCAST_API_URL ?? 'http://127.0.0.1:8090';

export default defineConfig({
  root,
  base: '/ui/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: `${root}../pkg/ui/static`,
    emptyOutDir: true,
    target: 'es2022',
    // The CSP forbids inline scripts and data: URLs: no injected preload polyfill, no inlined assets.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: {
    proxy: { '/api': api, '/forecast': api },
  },
});
