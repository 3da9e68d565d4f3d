import { describe, expect, it } from 'vitest';
import { loadWorkerConfig, redisConnection } from './config.js';

describe('worker configuration', () => {
  it('takes the defaults of operations.md', () => {
    expect(loadWorkerConfig({})).toMatchObject({
      DATABASE_URL: 'sqlite:./data/tradetally.sqlite',
      REDIS_URL: 'redis://127.0.0.1:6379',
      PUBLIC_URL: 'http://localhost:3000',
      SWEEP_CRON: '0 */5 * * * *',
      REMINDER_DAYS: [30, 7, 1],
      ROTATION_AGE_DAYS: 90,
    });
    expect(loadWorkerConfig({}).SMTP_URL).toBeUndefined();
  });

  it('takes reminder windows and rotation ages in fractions of a day, most distant window first', () => {
    const config = loadWorkerConfig({ REMINDER_DAYS: '0.0001, 1,0.5', ROTATION_AGE_DAYS: '0' });
    expect(config.REMINDER_DAYS).toEqual([1, 0.5, 0.0001]);
    expect(config.ROTATION_AGE_DAYS).toBe(0);
  });

  it('names the variable of a bad value', () => {
    expect(() => loadWorkerConfig({ REDIS_URL: 'http://localhost' })).toThrow(/REDIS_URL/);
    expect(() => loadWorkerConfig({ REMINDER_DAYS: '7,soon' })).toThrow(/REMINDER_DAYS/);
    expect(() => loadWorkerConfig({ SWEEP_CRON: 'every five minutes' })).toThrow(/SWEEP_CRON/);
    expect(() => loadWorkerConfig({ SMTP_URL: 'mail.example.com' })).toThrow(/SMTP_URL/);
    expect(() => loadWorkerConfig({ ROTATION_AGE_DAYS: '-1' })).toThrow(/ROTATION_AGE_DAYS/);
  });

  it('refuses production without SMTP_URL unless EMAIL_DISABLED=true', () => {
    expect(() => loadWorkerConfig({ NODE_ENV: 'production' })).toThrow(/SMTP_URL: is required when NODE_ENV=production/);
    expect(loadWorkerConfig({ NODE_ENV: 'production', EMAIL_DISABLED: 'true' }).EMAIL_DISABLED).toBe(true);
    expect(loadWorkerConfig({ NODE_ENV: 'production', SMTP_URL: 'smtp://mail.example.com' }).EMAIL_DISABLED).toBe(false);
    expect(() => loadWorkerConfig({ EMAIL_DISABLED: 'yes' })).toThrow(/EMAIL_DISABLED/);
  });

  it('reads a Redis URL into BullMQ connection options', () => {
    expect(redisConnection('redis://:s3cret@cache.internal:6380/2')).toMatchObject({
      host: 'cache.internal',
      port: 6380,
      password: 's3cret',
      db: 2,
      maxRetriesPerRequest: null,
    });
  });
});
