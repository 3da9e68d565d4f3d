import { describe, expect, it } from 'vitest';
import { buildEmail } from './email-content.js';

describe('buildEmail', () => {
  const source = {
    notificationId: '6c1b2a3e-0000-4000-8000-000000000001',
    type: 'key_expiring' as const,
    title: 'API key "Broker sync" expires in 7 days',
    body: 'Your read_write live key "Broker sync" (tt_live_C7Lf…xsfq) expires on 2026-12-06 12:00 UTC.',
    createdAt: new Date('2026-11-29T12:00:00Z'),
    to: 'ann@example.com',
    key: { name: 'Broker sync', prefix: 'tt_live_C7Lf', last4: 'xsfq', scope: 'read_write', environment: 'live', expiresAt: new Date('2026-12-06T12:00:00Z') },
  };

  it('names the key by name, prefix…last4, scope and date, and links to the settings page', () => {
    const mail = buildEmail(source, 'https://keys.example.com/app');
    expect(mail.subject).toBe('A TradeTally API key expires soon');
    expect(mail.to).toBe('ann@example.com');
    expect(mail.text).toContain('"Broker sync" (tt_live_C7Lf…xsfq)');
    expect(mail.text).toContain('read_write, live');
    expect(mail.text).toContain('Expires:      2026-12-06 12:00 UTC');
    expect(mail.text).toContain('Manage your API keys: https://keys.example.com/');
  });

  it('has one Message-ID per notification, so a resend is recognisably the same message', () => {
    expect(buildEmail(source, 'http://localhost:3000').messageId).toBe(buildEmail(source, 'http://localhost:3000').messageId);
    expect(buildEmail({ ...source, notificationId: '6c1b2a3e-0000-4000-8000-000000000002' }, 'http://localhost:3000').messageId).not.toBe(
      buildEmail(source, 'http://localhost:3000').messageId,
    );
  });

  it('never puts user-written text in the subject, and quotes and defangs it in the body', () => {
    const name = 'Visit https://evil.example/claim now\nBcc: x@evil.example';
    const mail = buildEmail(
      {
        ...source,
        type: 'key_leaked',
        title: `API key "${name}" leaked`,
        body: `Your key "${name}" was reported on https://paste.example/abc.`,
        key: { ...source.key, name },
      },
      'http://localhost:3000',
    );
    expect(mail.subject).toBe('A TradeTally API key was exposed and has been revoked');
    expect(mail.subject).not.toContain('evil');
    expect(mail.text).not.toMatch(/https?:\/\/(evil|paste)/);
    expect(mail.text).not.toContain('\nBcc:');
    expect(mail.text).toContain('"Visit https[:]//evil[.]example/claim now Bcc: x[at]evil[.]example"');
    expect(mail.text).toContain('"https[:]//paste[.]example/abc."');
  });
});
