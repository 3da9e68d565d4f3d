import { describe, expect, it } from 'vitest';
import { normaliseAllowedIp } from './allowed-ips.js';
import { AllowedIpsSchema } from './api-keys.js';

describe('normaliseAllowedIp', () => {
  it('keeps plain addresses and network-aligned ranges as given', () => {
    for (const entry of ['203.0.113.7', '10.0.0.0/8', '198.51.100.0/24', '203.0.113.7/32', '2001:db8::/32', '2001:db8::1', '::1', '2001:db8::1/128']) {
      expect(normaliseAllowedIp(entry)).toEqual({ ok: true, value: entry });
    }
  });

  it('stores an IPv4-mapped IPv6 address or prefix as IPv4', () => {
    expect(normaliseAllowedIp('::ffff:203.0.113.7')).toEqual({ ok: true, value: '203.0.113.7' });
    expect(normaliseAllowedIp('::FFFF:cb00:7107')).toEqual({ ok: true, value: '203.0.113.7' });
    expect(normaliseAllowedIp('0:0:0:0:0:ffff:203.0.113.7')).toEqual({ ok: true, value: '203.0.113.7' });
    expect(normaliseAllowedIp('::ffff:198.51.100.0/120')).toEqual({ ok: true, value: '198.51.100.0/24' });
    expect(normaliseAllowedIp('::ffff:203.0.113.7/128')).toEqual({ ok: true, value: '203.0.113.7/32' });
  });

  it('refuses host bits set and /0, in either family and in mapped form', () => {
    for (const entry of ['10.1.2.3/8', '127.0.0.5/0', '0.0.0.0/0', '::/0', '2001:db8::1/32', '::ffff:10.1.2.3/104', '::ffff:0.0.0.0/96']) {
      expect(normaliseAllowedIp(entry)).toMatchObject({ ok: false });
    }
  });

  it('refuses what is not an address', () => {
    for (const entry of ['example.com', '10.0.0.0/33', '1.2.3.4/8/9', '2001:db8:::1', '1:2:3:4:5:6:7:8:9', '']) {
      expect(normaliseAllowedIp(entry)).toMatchObject({ ok: false });
    }
  });
});

describe('AllowedIpsSchema', () => {
  it('normalises each entry and refuses the list when one is refused', () => {
    expect(AllowedIpsSchema.parse(['::ffff:203.0.113.7', '10.0.0.0/8'])).toEqual(['203.0.113.7', '10.0.0.0/8']);
    const refused = AllowedIpsSchema.safeParse(['10.0.0.0/8', '127.0.0.5/0']);
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.path).toEqual([1]);
  });
});
