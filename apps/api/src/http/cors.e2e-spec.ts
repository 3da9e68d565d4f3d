import { describe, expect, it } from 'vitest';
import { useTestApi } from '../testing/harness.js';

describe('CORS', () => {
  const suite = useTestApi('sqlite', { CORS_ORIGINS: 'chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba,https://journal.example' });

  it('echoes CORS only to the page, the pinned extension and CORS_ORIGINS', async () => {
    const allowed = async (origin: string) =>
      (await fetch(`${suite.api.url}/v1/leaks`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } })).headers.get(
        'access-control-allow-origin',
      );
    expect(await allowed('chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba')).toBe('chrome-extension://ponmlkjihgfedcbaponmlkjihgfedcba');
    expect(await allowed('https://journal.example')).toBe('https://journal.example');
    expect(await allowed('chrome-extension://aaaabbbbccccddddaaaabbbbccccdddd')).toBeNull();
    expect(await allowed('https://evil.example')).toBeNull();
  });
});
