import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Proc, startBuiltApi, startBuiltWorker } from '@tradetally/testing';

// Chromium's launch lives in the shared harness; re-exported so the suite imports one module.
export { chromiumPath, launchChromium } from '@tradetally/testing';

const WEB_DIST = join(new URL('../..', import.meta.url).pathname, 'dist');

/**
 * The built API serving the built page, on a fresh SQLite database. Usage counts roll up every
 * second, so a test sees a request in the chart without waiting a minute. With `worker`, the built
 * worker runs beside it on the same database and queue prefix (Redis at REDIS_URL, or the local
 * default) and sweeps every second: what the worker turns into notifications (a canary's use, for
 * one) then reaches the page as it would in production. A process that exits early or never
 * answers fails the suite with its output.
 */
export async function startProduct(options: { worker?: boolean } = {}): Promise<{ url: string; databaseUrl: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'tt-web-'));
  const databaseUrl = `sqlite:${join(dir, 'web.sqlite')}`;
  const tag = `tt-web-${Date.now().toString(36)}`;
  const children: Proc[] = [];
  try {
    const api = await startBuiltApi({
      databaseUrl,
      env: {
        WEB_DIST,
        TT_KEY_PEPPER: 'web-test-pepper-web-test-pepper-web-test',
        RATE_LIMIT_PREFIX: `${tag}:rl`,
        QUEUE_PREFIX: tag,
        USAGE_FLUSH_SECONDS: '1',
        // Every suite's traders sign up and try keys from 127.0.0.1 on this one API: the limits
        // per address would otherwise end the run, and the page's tests are not about them.
        RATE_LIMIT_REGISTER_PER_ADDRESS: '100000',
        RATE_LIMIT_LOGIN_PER_ADDRESS: '100000',
        RATE_LIMIT_KEY_FAILURES_PER_ADDRESS: '100000',
      },
    });
    children.push(api);
    // PUBLIC_URL: the API's own address (startBuiltApi sets it), where the worker's e-mail links point.
    if (options.worker) {
      // Started once the API has made the schema, so the two never migrate one SQLite file at once;
      // LOG_LEVEL info for its "worker ready" line (the output is kept, not printed).
      const worker = startBuiltWorker({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'info', PUBLIC_URL: api.url, QUEUE_PREFIX: tag, SWEEP_CRON: '* * * * * *' });
      children.push(worker);
      await worker.ready();
    }
    return {
      url: api.url,
      databaseUrl,
      stop: async () => {
        await Promise.all(children.map((child) => child.stop()));
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await Promise.all(children.map((child) => child.stop('SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
