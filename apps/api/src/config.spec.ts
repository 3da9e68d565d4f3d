import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('API configuration', () => {
  it('takes the defaults of operations.md', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBe('sqlite:./data/tradetally.sqlite');
    expect(config.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(config.PUBLIC_URL).toBe('http://localhost:3000');
    expect(config.devPepper).toBe(true);
  });

  it('names the variable of a bad value', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must start with sqlite: or postgres:\/\//);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(ConfigError);
  });

  it('refuses to start in production without a pepper', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/TT_KEY_PEPPER: is required when NODE_ENV=production/);
    const config = loadConfig({ NODE_ENV: 'production', TT_KEY_PEPPER: 'p'.repeat(32) });
    expect(config.pepper).toBe('p'.repeat(32));
    expect(config.devPepper).toBe(false);
  });
});
