import type { TestProject } from 'vitest/node';
import { startProduct } from './browser.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the shared built API serves the built page. */
    productUrl: string;
    /** Its database, for what a test must plant (ages, confirmation tokens). */
    productDatabaseUrl: string;
  }
}

/**
 * The browser suites' one set-up: the built API (serving the built page) and the built worker,
 * started once for every `*.browser.spec.ts` file and stopped after the last. Each test signs up
 * a trader of its own, so the suites share the product and nothing else.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const product = await startProduct({ worker: true });
  project.provide('productUrl', product.url);
  project.provide('productDatabaseUrl', product.databaseUrl);
  return () => product.stop();
}
