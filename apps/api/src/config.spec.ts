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
    expect(config.host).toBe('127.0.0.1');
    expect(config.TRUST_PROXY).toBe(false);
  });

  it('binds every interface only in production, or when HOST says so', () => {
    expect(loadConfig({ NODE_ENV: 'production', TT_KEY_PEPPER: 'p'.repeat(32) }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '::', TT_KEY_PEPPER: 'p'.repeat(32) }).host).toBe('::');
    expect(loadConfig({ HOST: '::1' }).host).toBe('::1');
  });

  it('refuses a non-loopback HOST on the development pepper, whatever NODE_ENV says', () => {
    expect(() => loadConfig({ HOST: '::' })).toThrow(/HOST: "::" is reachable from other machines/);
    expect(() => loadConfig({ HOST: '0.0.0.0', NODE_ENV: 'test' })).toThrow(/HOST: /);
    expect(loadConfig({ HOST: 'localhost' }).host).toBe('localhost');
    expect(loadConfig({ HOST: '127.0.0.2' }).devPepper).toBe(true);
  });

  it('refuses TRUST_PROXY with a /0 or more than 10 entries, naming the variable', () => {
    expect(() => loadConfig({ TRUST_PROXY: '0.0.0.0/0' })).toThrow(/TRUST_PROXY: "0\.0\.0\.0\/0" trusts every address/);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.1,::/0' })).toThrow(/TRUST_PROXY: "::\/0"/);
    const eleven = Array.from({ length: 11 }, (_, i) => `10.0.0.${i}`).join(',');
    expect(() => loadConfig({ TRUST_PROXY: eleven })).toThrow(/TRUST_PROXY: 11 entries/);
    expect(loadConfig({ TRUST_PROXY: eleven.split(',').slice(0, 10).join(',') }).TRUST_PROXY).toHaveLength(10);
  });

  it('refuses TRUST_PROXY=true, naming the variable', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: .*every X-Forwarded-For/);
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
  });

  it('takes extra CORS origins and refuses what is not an origin', () => {
    expect(loadConfig({ CORS_ORIGINS: 'chrome-extension://abcdefghijklmnopabcdefghijklmnop, https://app.example.com/x' }).CORS_ORIGINS).toEqual([
      'chrome-extension://abcdefghijklmnopabcdefghijklmnop',
      'https://app.example.com',
    ]);
    expect(() => loadConfig({ CORS_ORIGINS: 'not a url' })).toThrow(/CORS_ORIGINS/);
  });

  it('names the variable of a bad value', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL: must start with sqlite: or postgres:\/\//);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(ConfigError);
  });

  it('refuses to start in production without a pepper', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/TT_KEY_PEPPER: is required when NODE_ENV=production/);
    const config = loadConfig({ NODE_ENV: 'production', TT_KEY_PEPPER: 'p'.repeat(32) });
    expect(config.peppers).toEqual([{ id: '1', secret: 'p'.repeat(32) }]);
    expect(config.devPepper).toBe(false);
  });

  it('takes TT_KEY_PEPPERS, current first, and refuses it beside TT_KEY_PEPPER', () => {
    const config = loadConfig({ TT_KEY_PEPPERS: `2:${'n'.repeat(32)},1:${'o'.repeat(32)}` });
    expect(config.peppers.map((p) => p.id)).toEqual(['2', '1']);
    expect(config.devPepper).toBe(false);
    expect(() => loadConfig({ TT_KEY_PEPPERS: '2:short' })).toThrow(/TT_KEY_PEPPERS: .*at least 32/);
    expect(() => loadConfig({ TT_KEY_PEPPER: 'p'.repeat(32), TT_KEY_PEPPERS: `2:${'n'.repeat(32)}` })).toThrow(/TT_KEY_PEPPERS: replaces/);
  });
});
