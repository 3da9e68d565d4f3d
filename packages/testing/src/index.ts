// The test-support harness every workspace shares (docs/testing.md). Everything here fails loudly:
// a timeout or a process that exits early throws with what it printed, never hangs or passes.
export { API_MAIN, type BuiltApi, REPOSITORY_ROOT, TEST_PEPPER, WORKER_MAIN, startBuiltApi, startBuiltWorker } from './apps.js';
export { CHROMIUM_ARGS, chromiumPath, launchChromium } from './browser.js';
export { freePort, freePortRange } from './ports.js';
export { type Exit, type Proc, spawnNode } from './process.js';
export { type Mail, type SmtpCapture, headerValue, startSmtp } from './smtp.js';
export { type MixedLoadResult, mixedLoad } from './mixed-load.js';
export { waitFor } from './wait.js';
