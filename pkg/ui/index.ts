/**
 * pkg/ui: serves the built merchant UI (pkg/ui/static, made by `npm run build:ui`) under /ui with a
 * strict Content-Security-Policy, security headers, immutable caching of hashed assets, no-cache
 * for index.html and a single-page fallback. Files are read once into memory with precompressed
 * gzip/brotli variants: the whole UI is a few dozen kilobytes.
 */
export { uiRoutes, UI_CSP, type UiRoutesOptions } from './routes.js';
export { loginRoutes, safeReturnTo, type LoginRoutesOptions } from './login.js';
export { uiLoginEnv, type UiLoginConfig } from './config.js';
