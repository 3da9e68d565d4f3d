#!/usr/bin/env node
// The bin npm links at install time, committed so the link exists before the first build (npm
// links no bin whose file is missing); the command itself is the bundle `npm run build` makes.
try {
  await import('../dist/tradetally-scan.mjs');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('tradetally-scan.mjs')) {
    console.error('tradetally-scan: not built yet: run npm run build -w @tradetally/scan');
    process.exit(2);
  }
  throw error;
}
