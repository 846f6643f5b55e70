import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The administration console, served by Gatehouse under /admin (src/http/routes/console.ts).
 * Content-hashed assets, no inline script or style (the page CSP allows none), and one
 * chunk per page beyond the first screen.
 */
export default defineConfig({
  root: import.meta.dirname,
  base: '/admin/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Vite would inline small assets as data: URLs; the CSP allows data: for images only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
});
