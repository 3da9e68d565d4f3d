import { describe, expect, it } from 'vitest';
import { parseAllowedIps, summarizeAllowedIps } from './allowed-ips.js';

describe('parseAllowedIps', () => {
  it('reads addresses and ranges one per line or comma separated, dropping repeats; empty means anywhere', () => {
    expect(parseAllowedIps(' 203.0.113.7\n10.0.0.0/8, 2001:db8::/32 ,,\n203.0.113.7 ')).toEqual({
      ok: true,
      value: ['203.0.113.7', '10.0.0.0/8', '2001:db8::/32'],
    });
    expect(parseAllowedIps('  \n ')).toEqual({ ok: true, value: null });
  });

  it('names the entries that are not addresses or ranges', () => {
    expect(parseAllowedIps('203.0.113.7, 300.1.1.1\nexample.com')).toEqual({
      ok: false,
      error: 'Not an IPv4 or IPv6 address or CIDR range: “300.1.1.1”, “example.com”.',
    });
    expect(parseAllowedIps('10.0.0.0/33')).toMatchObject({ ok: false });
  });

  it('refuses more than 20, as the API would', () => {
    const many = Array.from({ length: 21 }, (_, i) => `198.51.100.${i}`).join('\n');
    expect(parseAllowedIps(many)).toEqual({ ok: false, error: 'At most 20 addresses or ranges (you gave 21).' });
    expect(parseAllowedIps(many.split('\n').slice(0, 20).join(','))).toMatchObject({ ok: true });
  });

  it('shows two entries in the list, then how many more', () => {
    expect(summarizeAllowedIps(['a', 'b'])).toBe('a, b');
    expect(summarizeAllowedIps(['a', 'b', 'c', 'd'])).toBe('a, b +2 more');
  });
});
