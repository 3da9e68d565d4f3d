import { describe, expect, it } from 'vitest';
import {
  EMAILED_NOTIFICATION_TYPES,
  type NotificationEmailSource,
  type NotificationMessage,
  NotificationDataSchemas,
  confirmationEmail,
  isEmailed,
  messageKey,
  notificationEmail,
  renderNotification,
} from './index.js';

const key = messageKey({ name: 'Broker sync', prefix: 'tt_live_C7Lf', last4: 'xsfq', scope: 'read_write', environment: 'live' });

describe('the notification catalog', () => {
  it('writes each type as the app showed it before data was kept (user text in quotes, facts as they are)', () => {
    const expiring: NotificationMessage = { type: 'key_expiring', data: { key, windowDays: 7, expiresAt: '2026-12-06T12:00:00.000Z' } };
    expect(renderNotification(expiring)).toEqual({
      title: 'API key "Broker sync" expires in 7 days',
      body:
        'Your read_write live key "Broker sync" (tt_live_C7Lf…xsfq) expires on 2026-12-06 12:00 UTC. ' +
        'Rotate it or create a replacement before then so your integration keeps working.',
    });
    const leaked = renderNotification({
      type: 'key_leaked',
      data: { key, seenAt: 'https://forum.example/t/42', source: 'page', reportedAt: '2026-11-29T12:34:56.000Z' },
    });
    expect(leaked.title).toBe('API key "Broker sync" was exposed and has been revoked');
    expect(leaked.body).toBe(
      'Your read_write live key "Broker sync" (tt_live_C7Lf…xsfq) was reported on https://forum.example/t/42 on 2026-11-29 and revoked at once. ' +
        'Integrations using it now get 401; create a replacement key in your API key settings.',
    );
    const pasted = renderNotification({ type: 'key_leaked', data: { key, seenAt: null, source: 'paste', reportedAt: '2026-11-29T12:34:56.000Z' } });
    expect(pasted.body).toContain('was reported in a paste on 2026-11-29');
    const canary = renderNotification({
      type: 'key_canary_triggered',
      data: { key, uses: 20, lastUseAt: '2026-11-29T12:00:00.000Z', ip: '198.51.100.66', userAgent: 'curl/8.0', method: 'GET', path: '/v1/trades/19' },
    });
    expect(canary.body).toContain(
      'was used 20 time(s) in the last 10 minutes; the last use was at 2026-11-29 12:00 UTC from address 198.51.100.66, client "curl/8.0", GET /v1/trades/19.',
    );
    const unknown = renderNotification({
      type: 'key_canary_triggered',
      data: { key, uses: 0, lastUseAt: '2026-11-29T12:00:00.000Z', ip: null, userAgent: null, method: null, path: null },
    });
    expect(unknown.body).toContain('from address unknown, client "unknown", ? ?.');
    expect(renderNotification({ type: 'key_unused', data: { key, idleDays: 0.25, lastUsedAt: null } }).body).toContain(
      'has not been used for 6 hours (never used).',
    );
  });

  it('e-mails exactly the types whose subject it holds', () => {
    expect(EMAILED_NOTIFICATION_TYPES.sort()).toEqual(['key_canary_triggered', 'key_expiring', 'key_leaked', 'key_self_rotated', 'key_unused']);
    expect(isEmailed('key_expired')).toBe(false);
    expect(Object.keys(NotificationDataSchemas)).toHaveLength(8);
  });
});

describe('notification e-mails', () => {
  const source: NotificationEmailSource = {
    notificationId: '6c1b2a3e-0000-4000-8000-000000000001',
    type: 'key_expiring',
    data: JSON.stringify({ key, windowDays: 7, expiresAt: '2026-12-06T12:00:00.000Z' }),
    body: 'the stored body',
    createdAt: new Date('2026-11-29T12:00:00Z'),
    to: 'ann@example.com',
    key: { name: 'Broker sync', prefix: 'tt_live_C7Lf', last4: 'xsfq', scope: 'read_write', environment: 'live', expiresAt: new Date('2026-12-06T12:00:00Z') },
  };

  it('name the key by name, prefix…last4, scope and date, and link to the settings page', () => {
    const mail = notificationEmail(source, 'https://keys.example.com/app');
    expect(mail.subject).toBe('A TradeTally API key expires soon');
    expect(mail.to).toBe('ann@example.com');
    expect(mail.text).toContain('Your read_write live key "Broker sync" (tt_live_C7Lf…xsfq) expires on 2026-12-06 12:00 UTC.');
    expect(mail.text).toContain('Key:          "Broker sync" (tt_live_C7Lf…xsfq)');
    expect(mail.text).toContain('read_write, live');
    expect(mail.text).toContain('Expires:      2026-12-06 12:00 UTC');
    expect(mail.text).toContain('Manage your API keys: https://keys.example.com/');
  });

  it('have one Message-ID per notification, so a resend is recognisably the same message', () => {
    expect(notificationEmail(source, 'http://localhost:3000').messageId).toBe(notificationEmail(source, 'http://localhost:3000').messageId);
    expect(notificationEmail({ ...source, notificationId: '6c1b2a3e-0000-4000-8000-000000000002' }, 'http://localhost:3000').messageId).not.toBe(
      notificationEmail(source, 'http://localhost:3000').messageId,
    );
  });

  it('never put user-written text in the subject, and quote and defang it in the body', () => {
    const name = 'Visit https://evil.example/claim now\nBcc: x@evil.example';
    const evil = messageKey({ ...key, name, prefix: 'tt_live_C7Lf', last4: 'xsfq' });
    const mail = notificationEmail(
      {
        ...source,
        type: 'key_leaked',
        data: JSON.stringify({ key: evil, seenAt: 'https://paste.example/abc', source: 'page', reportedAt: '2026-11-29T12:00:00.000Z' }),
        key: { ...source.key!, name },
      },
      'http://localhost:3000',
    );
    expect(mail.subject).toBe('A TradeTally API key was exposed and has been revoked');
    expect(mail.subject).not.toContain('evil');
    expect(mail.text).not.toMatch(/https?:\/\/(evil|paste)/);
    expect(mail.text).not.toContain('\nBcc:');
    expect(mail.text).toContain('Your read_write live key "Visit https[:]//evil[.]example/claim now Bcc: x[at]evil[.]example" (tt_live_C7Lf…xsfq)');
    expect(mail.text).toContain('was reported on "https[:]//paste[.]example/abc" on 2026-11-29');
  });

  it('quote a canary user agent and path, which whoever used the key wrote', () => {
    const mail = notificationEmail(
      {
        ...source,
        type: 'key_canary_triggered',
        data: JSON.stringify({
          key,
          uses: 1,
          lastUseAt: '2026-11-29T12:00:00.000Z',
          ip: '198.51.100.66',
          userAgent: 'see https://evil.example',
          method: 'GET',
          path: '/x?go=evil.example',
        }),
      },
      'http://localhost:3000',
    );
    expect(mail.text).toContain('client "see https[:]//evil[.]example", GET "/x?go=evil[.]example"');
  });

  it('show all of a row written before data was kept as quoted data', () => {
    const mail = notificationEmail(
      { ...source, data: null, body: 'Your key "Broker sync" was reported on https://paste.example/abc.' },
      'http://localhost:3000',
    );
    expect(mail.text).toContain(`"Your key 'Broker sync' was reported on https[:]//paste[.]example/abc."`);
    expect(mail.text).not.toMatch(/https?:\/\/paste/);
    expect(notificationEmail({ ...source, data: '{"not":"this shape"}' }, 'http://localhost:3000').text).toContain('"the stored body"');
  });

  it('refuse a type that is never e-mailed', () => {
    expect(() => notificationEmail({ ...source, type: 'key_expired' }, 'http://localhost:3000')).toThrow(/not e-mailed/);
  });
});

describe('the confirmation e-mail', () => {
  it('holds the link and nothing a user wrote in its subject', () => {
    const mail = confirmationEmail('ann@example.com', 'tok-en', 'https://keys.example.test', '<id@tradetally.keys>');
    expect(mail.subject).toBe('Confirm your e-mail address for TradeTally Keys');
    expect(mail.text).toContain('https://keys.example.test/verify-email?token=tok-en');
  });
});
