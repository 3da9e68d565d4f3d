// The command ships as one ES module with the key format of @tradetally/contracts compiled in.
// Why: contracts' entry point also loads zod and every schema, about a third of the command's start
// time, for a scanner that needs findApiKeys alone (contracts is side-effect free, so the bundler
// keeps only what is used). And a published tradetally-scan then depends on nothing unpublished.
// `ignore` stays a dependency, loaded only when a .gitignore is met.
import { defineConfig } from 'rolldown';

export default defineConfig({
  input: 'dist/cli.js',
  platform: 'node',
  external: ['ignore'],
  output: { file: 'dist/tradetally-scan.mjs', format: 'esm', sourcemap: true, codeSplitting: false },
});
