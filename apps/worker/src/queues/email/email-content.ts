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

const utc = (date: Date) => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** The e-mail of a notification: the key by name, `prefix…last4`, scope and date, and a link to the page. */
export function buildEmail(source: EmailSource, publicUrl: string): EmailMessage {
  const link = new URL('/', publicUrl).toString();
  const lines = [source.body, ''];
  if (source.key) {
    lines.push(
      `Key:          ${source.key.name} (${source.key.prefix}…${source.key.last4})`,
      `Scope:        ${source.key.scope}, ${source.key.environment}`,
      ...(source.key.expiresAt ? [`Expires:      ${utc(source.key.expiresAt)}`] : []),
    );
  }
  lines.push(`Date:         ${utc(source.createdAt)}`, '', `Manage your API keys: ${link}`, '', '— TradeTally Keys. This e-mail never contains a key.');
  return { to: source.to, subject: source.title, text: lines.join('\n'), messageId: `<${source.notificationId}@tradetally.keys>` };
}
