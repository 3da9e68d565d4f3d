import { randomBytes } from 'node:crypto';
import { hashOpaqueToken } from '@tradetally/database';
import { type TestDatabase, createTestDatabase } from '@tradetally/database/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Seeder, type WorkerProcess, startWorker, waitFor } from '../../testing/harness.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('no token in a log (security.md "The API, round two")', () => {
  let database: TestDatabase;
  let seed: Seeder;
  let worker: WorkerProcess;

  beforeAll(async () => {
    database = await createTestDatabase('sqlite');
    seed = await Seeder.open(database.url);
    // No SMTP_URL: the development set-up, where e-mails used to be written to the log whole.
    worker = startWorker({
      DATABASE_URL: database.url,
      REDIS_URL,
      QUEUE_PREFIX: `tt-nt-${randomBytes(4).toString('hex')}`,
      PUBLIC_URL: 'https://keys.example.test',
    });
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await seed?.close();
    await database?.drop();
  });

  it('logs to whom a confirmation would go, never its link or token', async () => {
    // A new, unconfirmed account: the worker makes its confirmation token and "sends" it.
    const owner = await seed.user(undefined, { verified: false });
    await waitFor('the confirmation token', async () => {
      const [row] = await seed.db.query<{ email_token_hash: string | null }>('SELECT email_token_hash FROM users WHERE id = $1', [owner.id]);
      return typeof row?.email_token_hash === 'string';
    });
    await worker.waitForOutput(`an e-mail would be sent to ${owner.email}`);
    const [row] = await seed.db.query<{ email_token_hash: string }>('SELECT email_token_hash FROM users WHERE id = $1', [owner.id]);
    const log = worker.output.join('');
    expect(log).not.toContain('verify-email');
    expect(log).not.toContain('Confirm your e-mail address');
    // Every token-shaped string of the log is checked against the stored token's hash.
    const candidates = log.match(/[A-Za-z0-9_-]{43}/g) ?? [];
    expect(candidates.filter((candidate) => hashOpaqueToken(candidate) === row?.email_token_hash)).toEqual([]);
  });
});
