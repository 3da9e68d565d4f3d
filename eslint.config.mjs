// One lint configuration for every workspace (ESLint finds it from any package directory).
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.turbo/**', '**/coverage/**', 'data/**'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly',
        process: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        fetch: 'readonly',
        performance: 'readonly',
        globalThis: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-ignore': true, 'ts-expect-error': 'allow-with-description' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // Benchmarks and scripts pass callbacks to page.evaluate(): they run in the browser.
    files: ['**/bench/**', '**/scripts/**'],
    languageOptions: {
      globals: {
        window: 'readonly',
        document: 'readonly',
        DataTransfer: 'readonly',
        ClipboardEvent: 'readonly',
        requestAnimationFrame: 'readonly',
        PerformanceObserver: 'readonly',
        navigator: 'readonly',
      },
    },
  },
  {
    // Type-aware rules for every TypeScript file: a promise is awaited, returned or voided on purpose.
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
    },
  },
  // The layering (docs/ARCHITECTURE.md): contracts at the bottom, apps never import one another,
  // browser code never imports server packages.
  {
    files: ['packages/contracts/src/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@tradetally/*'], message: 'contracts import nothing of ours: they are the bottom layer.' }] }],
    },
  },
  {
    files: ['packages/database/src/**', 'packages/client/src/**', 'packages/scan/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@tradetally/api', '@tradetally/worker', '@tradetally/web', '@tradetally/extension', '**/apps/**'],
              message: 'packages never import apps.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/api/src/**', 'apps/worker/src/**'],
    ignores: ['**/*.e2e-spec.ts', '**/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@tradetally/api', '@tradetally/worker', '@tradetally/web', '@tradetally/extension', '../../../*/src/**', '**/apps/**'],
              message: 'apps never import one another: share through packages/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/web/src/**', 'apps/extension/src/**'],
    ignores: ['**/*.spec.ts', '**/testing/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@tradetally/api', '@tradetally/worker', '@tradetally/database', '@tradetally/testing', '@tradetally/scan'],
              message: 'the page and the extension run in browsers: no server package.',
            },
            { group: ['@tradetally/web', '@tradetally/extension', '**/apps/**'], message: 'apps never import one another.' },
          ],
        },
      ],
    },
  },
);
