import { describe, expect, it } from 'vitest';
import { reportUrl, siteOf } from './site.js';

describe('siteOf', () => {
  it('is the host of the frame’s origin', () => {
    expect(siteOf('https://chat.example:8443', 'https://chat.example:8443/room?id=1')).toBe('chat.example');
  });

  it('uses the inherited origin of an about:blank frame', () => {
    expect(siteOf('https://chat.example', 'about:blank')).toBe('chat.example');
  });

  it('falls back to the URL’s host for an opaque (sandboxed) origin, and never throws', () => {
    expect(siteOf('null', 'https://chat.example/frame')).toBe('chat.example');
    expect(siteOf('null', 'about:srcdoc')).toBe('unknown');
    expect(siteOf(undefined, undefined)).toBe('unknown');
    expect(siteOf('not a url', '::')).toBe('unknown');
  });
});

describe('reportUrl', () => {
  it('is origin and path of an http(s) page, without query or fragment', () => {
    expect(reportUrl('https://chat.example', '/room/7')).toBe('https://chat.example/room/7');
  });

  it('is absent for an opaque origin or another scheme: such frames report without a URL', () => {
    expect(reportUrl('null', '/frame')).toBeUndefined();
    expect(reportUrl('file://', '/home/me/notes.txt')).toBeUndefined();
  });
});
