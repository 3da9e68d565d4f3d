import { WORKER_MAIN, spawnNode } from '@tradetally/testing';
import { describe, expect, it } from 'vitest';

describe('the worker refuses to start in production without a way to send e-mail (security.md "The API, round two")', () => {
  it('stops with exit 1 naming SMTP_URL when NODE_ENV=production has no SMTP_URL and no EMAIL_DISABLED=true', async () => {
    const worker = spawnNode(WORKER_MAIN, { NODE_ENV: 'production', SMTP_URL: '', EMAIL_DISABLED: '', DATABASE_URL: 'sqlite::memory:' });
    const exit = await worker.exited;
    expect(worker.output.join('')).toMatch(/SMTP_URL: is required when NODE_ENV=production \(or set EMAIL_DISABLED=true/);
    expect(exit.code).toBe(1);
  });

  it('starts in production without SMTP_URL when EMAIL_DISABLED=true says so', async () => {
    const worker = spawnNode(WORKER_MAIN, {
      NODE_ENV: 'production',
      SMTP_URL: '',
      EMAIL_DISABLED: 'true',
      DATABASE_URL: 'sqlite::memory:',
      QUEUE_PREFIX: `tt-ed-${process.pid}`,
    });
    try {
      await worker.waitForOutput('worker ready', 60_000);
    } finally {
      await worker.stop('SIGKILL');
    }
  });
});
