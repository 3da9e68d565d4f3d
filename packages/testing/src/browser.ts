import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (the binary, not the wrapper script that prints "[: unexpected operator"), or CHROMIUM_PATH. */
export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const candidate of ['/usr/lib/chromium/chromium', '/usr/bin/chromium']) if (existsSync(candidate)) return candidate;
  throw new Error("no Chromium at /usr/lib/chromium/chromium or /usr/bin/chromium: install Debian's chromium or set CHROMIUM_PATH");
}

/**
 * Flags this closed network needs: without the background-networking ones Chromium floods it with
 * refused connections.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Headless Chromium with the flags above. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), headless: true, args: [...CHROMIUM_ARGS] });
}
