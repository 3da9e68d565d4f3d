import { defineConfig } from 'vitest/config';

// The command is tested as users run it (the built bin in a child process), so files run one at a time.
export default defineConfig({
  test: { environment: 'node', include: ['src/**/*.spec.ts', 'src/**/*.e2e-spec.ts'], testTimeout: 60_000, hookTimeout: 120_000, fileParallelism: false },
});
