import { describe, expect, it } from 'vitest';
import { DEFAULT_EXTENSION_SETTINGS, blocksLivePastesOn, effectiveSettings, hostMatches, isIgnored } from './extension-settings.js';

describe('effectiveSettings', () => {
  const user = { ...DEFAULT_EXTENSION_SETTINGS, apiUrl: 'https://mine.example', autoRevokePageKeys: true, ignoredSites: ['chat.example'] };

  it('is the user’s choice where the organisation set nothing', () => {
    expect(effectiveSettings(user, {})).toEqual({ ...user, blockLivePastesOn: [], allowIgnore: true });
    expect(effectiveSettings(undefined, undefined)).toEqual({ ...DEFAULT_EXTENSION_SETTINGS, blockLivePastesOn: [], allowIgnore: true });
  });

  it('takes each value the organisation set over the user’s', () => {
    const effective = effectiveSettings(user, { apiUrl: 'https://corp.example', autoRevoke: false, allowIgnore: false, blockLivePastesOn: ['*.corp.example'] });
    expect(effective).toMatchObject({ apiUrl: 'https://corp.example', autoRevokePageKeys: false, allowIgnore: false, blockLivePastesOn: ['*.corp.example'] });
    // No site is ignored where ignoring is not allowed, whatever the user's list says.
    expect(isIgnored(effective, 'chat.example')).toBe(false);
  });

  it('skips a managed value of the wrong type instead of trusting it', () => {
    expect(effectiveSettings(user, { apiUrl: 42, allowIgnore: 'no', blockLivePastesOn: 'chat.example', autoRevoke: 1 })).toMatchObject({
      apiUrl: 'https://mine.example',
      allowIgnore: true,
      blockLivePastesOn: [],
      autoRevokePageKeys: true,
    });
  });
});

describe('hostMatches and blocksLivePastesOn', () => {
  it('matches a host exactly, a domain with its subdomains, or every host', () => {
    expect(hostMatches('chat.example', 'chat.example')).toBe(true);
    expect(hostMatches('chat.example', 'x.chat.example')).toBe(false);
    expect(hostMatches('*.corp.example', 'corp.example')).toBe(true);
    expect(hostMatches('*.corp.example', 'a.b.corp.example')).toBe(true);
    expect(hostMatches('*.corp.example', 'evilcorp.example')).toBe(false);
    expect(hostMatches('*', 'anything.example')).toBe(true);
    expect(hostMatches('Chat.Example', 'chat.EXAMPLE')).toBe(true);
  });

  it('blocks where the user chose it, or where a pattern of the organisation names the site', () => {
    const off = effectiveSettings(DEFAULT_EXTENSION_SETTINGS, { blockLivePastesOn: ['*.slack.com'] });
    expect(blocksLivePastesOn(off, 'acme.slack.com')).toBe(true);
    expect(blocksLivePastesOn(off, 'chat.example')).toBe(false);
    expect(blocksLivePastesOn(effectiveSettings({ blockLivePastes: true }, {}), 'chat.example')).toBe(true);
  });
});
