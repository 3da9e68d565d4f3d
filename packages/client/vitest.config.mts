import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Suites spawn real APIs (and child processes): one file at a time keeps two shared cores usable.
  test: { environment: 'node', include: ['src/**/*.spec.ts', 'src/**/*.e2e-spec.ts'], testTimeout: 60_000, hookTimeout: 120_000, fileParallelism: false },
});
