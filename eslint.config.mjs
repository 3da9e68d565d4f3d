// One lint configuration for every workspace (ESLint finds it from any package directory).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.turbo/**', '**/coverage/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        console: 'readonly', process: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly',
        clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', fetch: 'readonly',
        performance: 'readonly', globalThis: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly',
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
        window: 'readonly', document: 'readonly', DataTransfer: 'readonly', ClipboardEvent: 'readonly',
        requestAnimationFrame: 'readonly', PerformanceObserver: 'readonly', navigator: 'readonly',
      },
    },
  },
);
