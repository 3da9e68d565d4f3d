import { describe, expect, it } from 'vitest';
import { originOf, sessionFor } from './session.js';

const session = { token: 'tts_token', email: 'a@example.com', origin: 'https://api.tradetally.example' };

describe('sessionFor', () => {
  it('sends the session to the origin that issued it, whatever the path', () => {
    expect(sessionFor(session, 'https://api.tradetally.example')).toBe(session);
    expect(sessionFor(session, 'https://api.tradetally.example/some/base/')).toBe(session);
  });

  it('never sends it to another origin: another host, scheme or port', () => {
    for (const url of [
      'https://evil.example',
      'http://api.tradetally.example',
      'https://api.tradetally.example:8443',
      'https://api.tradetally.example.evil.example',
      'not a url',
    ]) {
      expect(sessionFor(session, url), url).toBeUndefined();
    }
  });

  it('has nothing to send when signed out', () => {
    expect(sessionFor(undefined, 'https://api.tradetally.example')).toBeUndefined();
  });
});

describe('originOf', () => {
  it('is the origin of an http(s) address and null for anything else', () => {
    expect(originOf('http://localhost:3000/v1')).toBe('http://localhost:3000');
    expect(originOf('javascript:alert(1)')).toBeNull();
    expect(originOf('')).toBeNull();
  });
});
