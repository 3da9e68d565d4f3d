// The vitest settings of the NestJS apps (API and worker), in one place: SWC compiles the tests so
// decorator metadata exists (vitest's default transform drops it), and suites run one file at a
// time because they share Redis, PostgreSQL and loopback ports.
import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'node',
    pool: 'forks',
    include: ['src/**/*.spec.ts', 'src/**/*.e2e-spec.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
  plugins: [
    swc.vite({
      module: { type: 'es6' },
      jsc: { target: 'es2022', parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true } },
    }),
  ],
  oxc: false,
});
