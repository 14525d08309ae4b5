// Builds the single-page UI into src/web/dist, which the server serves at `/`.
// The server's CSP allows scripts and styles from 'self' only, so the build must not emit any
// inline script (hence no modulepreload polyfill) and CSS stays a separate file.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { precompressPlugin } from './build/precompress.js';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  publicDir: 'public',
  esbuild: { jsx: 'automatic' },
  // A .br and a .gz beside every text file, sent to the browsers that accept them.
  plugins: [precompressPlugin()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: false,
    target: 'es2022',
    // The password blocklist (src/shared/password-policy/blocklist-words.ts) is one lazily loaded
    // chunk of about 0.9 MB by design; everything else stays far below this.
    chunkSizeWarningLimit: 1000,
  },
});
