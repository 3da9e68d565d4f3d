import { defineConfig } from 'vite';

export default defineConfig({
  // Preact's automatic JSX runtime through Vite's own transformer: no framework plugin needed.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: { proxy: { '/v1': 'http://localhost:3000' } },
});
