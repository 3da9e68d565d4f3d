import type { NotificationType } from '@tradetally/contracts';

/** What an e-mail is made from: a notification row, its user and its key (never the secret). */
export interface EmailSource {
  notificationId: string;
  type: NotificationType;
  title: string;
  body: string;
  createdAt: Date;
  to: string;
  key: { name: string; prefix: string; last4: string; scope: string; environment: string; expiresAt: Date | null } | null;
}

/** A message ready for SMTP. `messageId` is fixed per notification, so a resend is the same message. */
export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  messageId: string;
}

/**
 * Subjects are fixed texts per kind of message (security.md): never a key name, a URL or anything
 * else a user or a reporter wrote, so nobody can make TradeTally send a subject of their choosing.
 */
export const EMAIL_SUBJECTS: Record<NotificationType | 'confirmation', string> = {
  confirmation: 'Confirm your e-mail address for TradeTally Keys',
  key_expiring: 'A TradeTally API key expires soon',
  key_expired: 'A TradeTally API key has expired',
  key_rotation_due: 'A TradeTally API key is due for rotation',
  key_leaked: 'A TradeTally API key was exposed and has been revoked',
  key_rotation_finished: 'A TradeTally API key rotation has finished',
  key_self_rotated: 'A TradeTally API key rotated itself',
  key_canary_triggered: 'ALERT: a TradeTally decoy key was used',
  key_unused: 'A TradeTally API key has not been used for a while',
};

/**
 * User- or reporter-written text (a key name, a page address) as quoted data in a plain-text body:
 * on one line, in quotes, with scheme separators and dots of host names defanged, so a mail client
 * shows it as text and never turns it into a link.
 */
export function quoteUserText(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must not reach a body line
  const oneLine = text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
  const defanged = oneLine
    .replace(/:\/\//g, '[:]//')
    .replace(/([0-9A-Za-z-])\.(?=[0-9A-Za-z-])/g, '$1[.]')
    .replace(/@/g, '[at]');
  return `"${defanged.replace(/"/g, "'")}"`;
}

const utc = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/**
 * The e-mail of a notification: a fixed subject, the notification's text with the key's name
 * quoted as data, the key by `prefix…last4`, scope and date, and a link to the page.
 */
export function buildEmail(source: EmailSource, publicUrl: string): EmailMessage {
  const link = new URL('/', publicUrl).toString();
  // The notification's own text names the key (in quotes) and may name where it was seen: both
  // are user-written, so the e-mail shows them only through quoteUserText.
  let body = source.body;
  if (source.key) body = body.split(`"${source.key.name}"`).join(quoteUserText(source.key.name));
  body = body.replace(/\bhttps?:\/\/\S+/g, (url) => quoteUserText(url));
  const lines = [body, ''];
  if (source.key) {
    lines.push(
      `Key:          ${quoteUserText(source.key.name)} (${source.key.prefix}…${source.key.last4})`,
      `Scope:        ${source.key.scope}, ${source.key.environment}`,
      ...(source.key.expiresAt ? [`Expires:      ${utc(source.key.expiresAt)}`] : []),
    );
  }
  lines.push(`Date:         ${utc(source.createdAt)}`, '', `Manage your API keys: ${link}`, '', '— TradeTally Keys. This e-mail never contains a key.');
  return { to: source.to, subject: EMAIL_SUBJECTS[source.type], text: lines.join('\n'), messageId: `<${source.notificationId}@tradetally.keys>` };
}

/** The confirmation e-mail: the only one an unconfirmed address ever gets. */
export function buildConfirmationEmail(to: string, token: string, publicUrl: string, messageId: string): EmailMessage {
  const link = new URL(`/verify-email?token=${encodeURIComponent(token)}`, publicUrl).toString();
  const text = [
    'Someone, hopefully you, created a TradeTally Keys account with this e-mail address.',
    '',
    `Confirm the address within 24 hours: ${link}`,
    '',
    'Until it is confirmed, TradeTally sends this address nothing else. If it was not you, ignore this e-mail.',
    '',
    '— TradeTally Keys',
  ].join('\n');
  return { to, subject: EMAIL_SUBJECTS.confirmation, text, messageId };
}
