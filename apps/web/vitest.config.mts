import { configDefaults, defineConfig } from 'vitest/config';

// Two tiers: unit specs run alone; browser specs share one built API and worker, started by the
// global set-up only when a browser spec is among the files run.
export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.spec.ts'], exclude: [...configDefaults.exclude, 'src/**/*.browser.spec.ts'] } },
      { extends: true, test: { name: 'browser', include: ['src/**/*.browser.spec.ts'], globalSetup: ['src/testing/product.global.ts'] } },
    ],
  },
});
