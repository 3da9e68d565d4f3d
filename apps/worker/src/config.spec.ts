import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from './config.js';

describe('worker configuration', () => {
  it('takes the defaults of operations.md', () => {
    expect(loadWorkerConfig({})).toMatchObject({ DATABASE_URL: 'sqlite:./data/tradetally.sqlite', REDIS_URL: 'redis://127.0.0.1:6379' });
  });

  it('names the variable of a bad value', () => {
    expect(() => loadWorkerConfig({ REDIS_URL: 'http://localhost' })).toThrow(/REDIS_URL/);
  });
});
