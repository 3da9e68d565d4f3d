import { defineConfig } from 'vitest/config';
import swc from 'unplugin-swc';

export default defineConfig({
  test: { environment: 'node', pool: 'forks', include: ['src/**/*.spec.ts', 'src/**/*.medium-spec.ts'], testTimeout: 30_000 },
  plugins: [
    swc.vite({
      module: { type: 'es6' },
      jsc: { target: 'es2022', parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true } },
    }),
  ],
  oxc: false,
});
