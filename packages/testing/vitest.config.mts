import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The harness's own tests, and the repository-wide ones: the published packages installed from their tarballs.
  test: { environment: 'node', include: ['src/**/*.spec.ts', 'src/**/*.e2e-spec.ts'], testTimeout: 120_000, hookTimeout: 240_000, fileParallelism: false },
});
