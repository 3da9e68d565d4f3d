import { DAY_MS, HOUR_MS } from '@tradetally/contracts';
import { describe, expect, it } from 'vitest';
import { relative, shortAgent } from './format.js';

const now = Date.parse('2026-11-29T12:00:00Z');

describe('relative', () => {
  it('speaks of a future time as "in"', () => {
    expect(relative(new Date(now + 5 * DAY_MS).toISOString(), now)).toBe('in 5 days');
  });

  it('speaks of a past time as "ago", in the largest unit', () => {
    expect(relative(new Date(now - 3 * HOUR_MS).toISOString(), now)).toBe('3 hours ago');
  });

  it('calls anything within a minute "just now"', () => {
    expect(relative(new Date(now + 10_000).toISOString(), now)).toBe('just now');
  });
});

describe('shortAgent', () => {
  it('keeps the product of a tool and drops what follows', () => {
    expect(shortAgent('curl/8.5.0')).toBe('curl/8.5.0');
    expect(shortAgent('python-requests/2.31.0 extra')).toBe('python-requests/2.31.0');
  });

  it('names the browser of a browser, with its major version', () => {
    expect(shortAgent('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36')).toBe('Chrome 131');
    expect(shortAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0')).toBe(
      'Edge 131',
    );
    expect(shortAgent('Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0')).toBe('Firefox 133');
    expect(shortAgent('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15')).toBe(
      'Safari 18',
    );
  });

  it('cuts a product too long for a table cell with an ellipsis', () => {
    expect(shortAgent(`my-very-long-integration-name-that-goes-on/1.0`)).toBe('my-very-long-integration-name-t…');
  });
});
