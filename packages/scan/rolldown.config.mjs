// The command ships as one ES module with everything it uses compiled in: the key format of
// @tradetally/contracts, `ignore` (.gitignore rules, config excludes) and `smol-toml` (the config
// file). Why: contracts' entry point also loads zod and every schema, about a third of the
// command's start time, for a scanner that needs findApiKeys alone (contracts is side-effect free,
// so the bundler keeps only what is used); and a published @tradetally/scan then installs with no
// dependencies at all: nothing to fetch, nothing unpublished, nothing else to trust. Minified
// (121 kB -> 67 kB, the licences' notices kept): it is read by Node.js, not by people; the
// sources are in the repository.
import { defineConfig } from 'rolldown';

export default defineConfig({
  input: 'dist/cli.js',
  platform: 'node',
  output: { file: 'dist/tradetally-scan.mjs', format: 'esm', sourcemap: true, codeSplitting: false, minify: true, legalComments: 'inline' },
});
