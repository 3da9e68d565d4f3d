import { describe, expect, it } from 'vitest';
import { isLoopback, parseTrustProxy, rateLimitIdentity } from './client-address.js';

describe('TRUST_PROXY', () => {
  it('takes false, a hop count 1..10, or a list of addresses and CIDRs', () => {
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('10.0.0.1, fd00::/8,127.0.0.1/32')).toEqual(['10.0.0.1', 'fd00::/8', '127.0.0.1/32']);
  });

  it('refuses true, 0, 11 and anything that is not an address', () => {
    expect(() => parseTrustProxy('true')).toThrow(/every X-Forwarded-For/);
    expect(() => parseTrustProxy('0')).toThrow(/1\.\.10/);
    expect(() => parseTrustProxy('11')).toThrow(/1\.\.10/);
    expect(() => parseTrustProxy('loopback')).toThrow(/neither an address nor a CIDR/);
    expect(() => parseTrustProxy('10.0.0.0/99')).toThrow(/neither/);
  });
});

describe('rate-limit identity', () => {
  it('counts IPv4 by address and IPv6 by /64', () => {
    expect(rateLimitIdentity('203.0.113.7')).toBe('203.0.113.7');
    expect(rateLimitIdentity('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(rateLimitIdentity('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(rateLimitIdentity('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe(rateLimitIdentity('2001:db8:1:2::9'));
    expect(rateLimitIdentity('2001:db8:1:3::1')).not.toBe(rateLimitIdentity('2001:db8:1:2::1'));
  });

  it('knows loopback clients', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopback('10.1.2.3')).toBe(false);
    expect(isLoopback('unknown')).toBe(false);
  });
});

describe('allowedIps', () => {
  it('admits addresses and CIDRs of both families, IPv4-mapped clients as IPv4, and nothing else', async () => {
    const { compileAllowedIps } = await import('./client-address.js');
    const allowed = compileAllowedIps(['203.0.113.7', '198.51.100.0/24', '2001:db8:aa::/48', '::1']);
    expect(allowed('203.0.113.7')).toBe(true);
    expect(allowed('::ffff:203.0.113.7')).toBe(true);
    expect(allowed('203.0.113.8')).toBe(false);
    expect(allowed('198.51.100.200')).toBe(true);
    expect(allowed('2001:db8:aa:1::5')).toBe(true);
    expect(allowed('2001:db8:ab::5')).toBe(false);
    expect(allowed('::1')).toBe(true);
    expect(allowed('unknown')).toBe(false);
  });
});
