import { z } from 'zod';
import { TimestampSchema } from './common.js';
import { displayApiKey } from './key-format.js';
import type { NotificationType } from './notifications.js';
import { describeDays, formatUtc } from './time.js';

/*
 * The message catalog: every text TradeTally Keys shows or sends a person about a key, in one
 * place per notification type (the title and body of the notification, whether it is e-mailed and
 * under which subject), and the e-mails themselves. A notification is stored as its type and its
 * data; text somebody else wrote (a key's name, where a leak was seen, a client's user agent)
 * travels as data, never spliced into prose, so each form quotes it its own way: the app as
 * written, the e-mail quoted and defanged.
 */

/** Text a user or a reporter wrote, kept apart from the message's own words. */
export interface UserText {
  user: string;
  /** The app shows it in double quotes (a key's name); else as it is (an address, a path). */
  quoted: boolean;
}

/** A message as parts: the catalog's own words and facts (strings) and user-written text. */
export type MessageText = ReadonlyArray<string | UserText>;

/** Quoted user text: a key's name. */
const quoted = (user: string): UserText => ({ user, quoted: true });

/** Unquoted user text: where a leak was seen, a request's path. */
const unquoted = (user: string): UserText => ({ user, quoted: false });

/** A message template: interpolated strings and numbers are facts, `quoted()`/`unquoted()` user text. */
function text(strings: TemplateStringsArray, ...values: Array<string | number | UserText>): MessageText {
  return strings.flatMap((literal, i) => {
    const value = values[i];
    if (value === undefined) return [literal];
    return [literal, typeof value === 'object' ? value : String(value)];
  });
}

/** A key as messages name it: user-written name, display form `prefix…last4`, scope and environment. */
export const MessageKeySchema = z.object({ name: z.string(), display: z.string(), scope: z.string(), environment: z.string() });

/** A key as messages name it. */
export type MessageKey = z.infer<typeof MessageKeySchema>;

/** The message form of a key row (never its secret: only what the row shows anyway). */
export function messageKey(key: { name: string; prefix: string; last4: string; scope: string; environment: string }): MessageKey {
  return { name: key.name, display: displayApiKey(key), scope: key.scope, environment: key.environment };
}

/** The data each notification type is written with: facts and user text, never prose. */
export const NotificationDataSchemas = {
  key_expiring: z.object({ key: MessageKeySchema, windowDays: z.number().positive(), expiresAt: TimestampSchema }),
  key_expired: z.object({ key: MessageKeySchema, expiresAt: TimestampSchema }),
  key_rotation_due: z.object({ key: MessageKeySchema, ageDays: z.number().nonnegative() }),
  key_rotation_finished: z.object({ key: MessageKeySchema, graceEndedAt: TimestampSchema }),
  key_leaked: z.object({
    key: MessageKeySchema,
    /** Where the report said the key was seen (origin and path, keys scrubbed), if it said. */
    seenAt: z.string().nullable(),
    /** The report's source (`paste`, `page`, `manual`, `scan`, `github`). */
    source: z.string(),
    reportedAt: TimestampSchema,
  }),
  key_self_rotated: z.object({ key: MessageKeySchema, successor: z.string(), rotatedAt: TimestampSchema, graceEndsAt: TimestampSchema }),
  key_canary_triggered: z.object({
    key: MessageKeySchema,
    /** Uses within the alert window. */
    uses: z.number().int().nonnegative(),
    lastUseAt: TimestampSchema,
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    method: z.string().nullable(),
    path: z.string().nullable(),
  }),
  key_unused: z.object({ key: MessageKeySchema, idleDays: z.number().nonnegative(), lastUsedAt: TimestampSchema.nullable() }),
} as const satisfies Record<NotificationType, z.ZodType>;

/** The data of a notification type. */
export type NotificationData<T extends NotificationType = NotificationType> = z.infer<(typeof NotificationDataSchemas)[T]>;

/** A notification as it is written: its type and that type's data. */
export type NotificationMessage = { [T in NotificationType]: { type: T; data: NotificationData<T> } }[NotificationType];

/** What the catalog holds per notification type. */
interface CatalogEntry<T extends NotificationType> {
  /** The e-mail's subject: a fixed text (security.md: nothing a user wrote); null when the type is never e-mailed. */
  email: string | null;
  title: (data: NotificationData<T>) => MessageText;
  body: (data: NotificationData<T>) => MessageText;
}

const name = (key: MessageKey) => quoted(key.name);

/** Every notification type's words. */
export const NOTIFICATION_CATALOG: { [T in NotificationType]: CatalogEntry<T> } = {
  key_expiring: {
    email: 'A TradeTally API key expires soon',
    title: (d) => text`API key ${name(d.key)} expires in ${describeDays(d.windowDays)}`,
    body: (d) =>
      text`Your ${d.key.scope} ${d.key.environment} key ${name(d.key)} (${d.key.display}) expires on ${formatUtc(d.expiresAt)}. Rotate it or create a replacement before then so your integration keeps working.`,
  },
  key_expired: {
    email: null,
    title: (d) => text`API key ${name(d.key)} has expired`,
    body: (d) =>
      text`Your ${d.key.scope} ${d.key.environment} key ${name(d.key)} (${d.key.display}) expired on ${formatUtc(d.expiresAt)}; requests with it now get 401 api_key_expired. Create a new key in your API key settings.`,
  },
  key_rotation_due: {
    email: null,
    title: (d) => text`API key ${name(d.key)} is due for rotation`,
    body: (d) =>
      text`Your ${d.key.scope} ${d.key.environment} key ${name(d.key)} (${d.key.display}) is ${describeDays(d.ageDays)} old. Rotating keys regularly limits what an unnoticed leak can do: rotate it with a grace period so your integration can switch over.`,
  },
  key_rotation_finished: {
    email: null,
    title: (d) => text`Rotation of API key ${name(d.key)} is complete`,
    body: (d) =>
      text`The grace period of your old key ${name(d.key)} (${d.key.display}) ended on ${formatUtc(d.graceEndedAt)} and it is now revoked. Only its replacement works from here on.`,
  },
  key_leaked: {
    email: 'A TradeTally API key was exposed and has been revoked',
    title: (d) => text`API key ${name(d.key)} was exposed and has been revoked`,
    body: (d) => [
      ...text`Your ${d.key.scope} ${d.key.environment} key ${name(d.key)} (${d.key.display}) was reported`,
      ...(d.seenAt ? text` on ${unquoted(d.seenAt)}` : d.source === 'paste' ? [' in a paste'] : []),
      ...text` on ${d.reportedAt.slice(0, 10)} and revoked at once. Integrations using it now get 401; create a replacement key in your API key settings.`,
    ],
  },
  key_self_rotated: {
    email: 'A TradeTally API key rotated itself',
    title: (d) => text`API key ${name(d.key)} rotated itself`,
    body: (d) =>
      text`Your key ${name(d.key)} (${d.key.display}) was replaced by ${d.successor} at its own request on ${formatUtc(d.rotatedAt)}; the old key works until ${formatUtc(d.graceEndsAt)}. If you did not expect this, revoke both: a leak report of the old key revokes the new one too.`,
  },
  key_canary_triggered: {
    email: 'ALERT: a TradeTally decoy key was used',
    title: (d) => text`Decoy key ${name(d.key)} was used: someone has found where you planted it`,
    body: (d) =>
      text`Your canary key ${name(d.key)} (${d.key.display}) was used ${d.uses} time(s) in the last 10 minutes; the last use was at ${formatUtc(d.lastUseAt)} from address ${d.ip ?? 'unknown'}, client ${quoted(d.userAgent ?? 'unknown')}, ${d.method ?? '?'} ${unquoted(d.path ?? '?')}. It granted nothing. Whoever used it has read the place you planted it: check that place and rotate the real keys kept near it.`,
  },
  key_unused: {
    email: 'A TradeTally API key has not been used for a while',
    title: (d) => text`API key ${name(d.key)} has not been used for ${describeDays(d.idleDays)}`,
    body: (d) =>
      text`Your ${d.key.scope} ${d.key.environment} key ${name(d.key)} (${d.key.display}) has not been used for ${describeDays(d.idleDays)} (${d.lastUsedAt ? `last used ${formatUtc(d.lastUsedAt)}` : 'never used'}). The safest key is one that does not exist: if nothing needs it, revoke it.`,
  },
};

/** The catalog entry of a type, typed by that type (so its data is too). */
const entryOf = <T extends NotificationType>(type: T): CatalogEntry<T> => NOTIFICATION_CATALOG[type];

/** A message's title and body as parts. */
function partsOf<T extends NotificationType>(type: T, data: NotificationData<T>): { title: MessageText; body: MessageText } {
  const entry = entryOf(type);
  return { title: entry.title(data), body: entry.body(data) };
}

/** True when notifications of this type are e-mailed (to confirmed addresses: security.md). */
export function isEmailed(type: NotificationType): boolean {
  return NOTIFICATION_CATALOG[type].email !== null;
}

/** The types whose notifications are e-mailed (the worker's outbox re-sends what Redis lost). */
export const EMAILED_NOTIFICATION_TYPES = (Object.keys(NOTIFICATION_CATALOG) as NotificationType[]).filter(isEmailed);

/** The app's form of message parts: user text as written, in quotes where the message quotes it. */
export function appText(parts: MessageText): string {
  return parts.map((part) => (typeof part === 'string' ? part : part.quoted ? `"${part.user}"` : part.user)).join('');
}

/**
 * User- or reporter-written text (a key name, a page address) as quoted data in a plain-text body:
 * on one line, in quotes, with scheme separators and dots of host names defanged, so a mail client
 * shows it as text and never turns it into a link.
 */
export function quoteUserText(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what must not reach a body line
  const oneLine = value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
  const defanged = oneLine
    .replace(/:\/\//g, '[:]//')
    .replace(/([0-9A-Za-z-])\.(?=[0-9A-Za-z-])/g, '$1[.]')
    .replace(/@/g, '[at]');
  return `"${defanged.replace(/"/g, "'")}"`;
}

/** The e-mail's form of message parts: every piece of user text quoted and defanged. */
export function emailText(parts: MessageText): string {
  return parts.map((part) => (typeof part === 'string' ? part : quoteUserText(part.user))).join('');
}

/** A notification's title and body as the app shows them (and as the row stores them). */
export function renderNotification(message: NotificationMessage): { title: string; body: string } {
  const { title, body } = partsOf(message.type, message.data);
  return { title: appText(title), body: appText(body) };
}

/** A stored notification's data read back: null when it is missing or not this type's shape (rows written before data was kept). */
export function parseNotificationData<T extends NotificationType>(type: T, json: string | null): NotificationData<T> | null {
  if (!json) return null;
  try {
    const parsed = NotificationDataSchemas[type].safeParse(JSON.parse(json));
    return parsed.success ? (parsed.data as NotificationData<T>) : null;
  } catch {
    return null;
  }
}

/** What a notification's e-mail is made from: its row, its user's address and its key (never the secret). */
export interface NotificationEmailSource {
  notificationId: string;
  type: NotificationType;
  /** The row's data (JSON); null on rows written before data was kept. */
  data: string | null;
  /** The row's stored body, for rows without data. */
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

/** The subject of the confirmation e-mail. */
export const CONFIRMATION_EMAIL_SUBJECT = 'Confirm your e-mail address for TradeTally Keys';

/**
 * The e-mail of a notification: the type's fixed subject, its body with every piece of user text
 * quoted as data, the key by `prefix…last4`, scope and date, and a link to the page. A row from
 * before data was kept has only its finished text: all of it is shown as quoted data.
 */
export function notificationEmail(source: NotificationEmailSource, publicUrl: string): EmailMessage {
  const subject = NOTIFICATION_CATALOG[source.type].email;
  if (subject === null) throw new Error(`${source.type} notifications are not e-mailed`);
  const link = new URL('/', publicUrl).toString();
  const data = parseNotificationData(source.type, source.data);
  const lines = [data ? emailText(partsOf(source.type, data).body) : quoteUserText(source.body), ''];
  if (source.key) {
    lines.push(
      `Key:          ${quoteUserText(source.key.name)} (${displayApiKey(source.key)})`,
      `Scope:        ${source.key.scope}, ${source.key.environment}`,
      ...(source.key.expiresAt ? [`Expires:      ${formatUtc(source.key.expiresAt)}`] : []),
    );
  }
  lines.push(`Date:         ${formatUtc(source.createdAt)}`, '', `Manage your API keys: ${link}`, '', '— TradeTally Keys. This e-mail never contains a key.');
  return { to: source.to, subject, text: lines.join('\n'), messageId: `<${source.notificationId}@tradetally.keys>` };
}

/** The confirmation e-mail: the only one an unconfirmed address ever gets. */
export function confirmationEmail(to: string, token: string, publicUrl: string, messageId: string): EmailMessage {
  const link = new URL(`/verify-email?token=${encodeURIComponent(token)}`, publicUrl).toString();
  const body = [
    'Someone, hopefully you, created a TradeTally Keys account with this e-mail address.',
    '',
    `Confirm the address within 24 hours: ${link}`,
    '',
    'Until it is confirmed, TradeTally sends this address nothing else. If it was not you, ignore this e-mail.',
    '',
    '— TradeTally Keys',
  ].join('\n');
  return { to, subject: CONFIRMATION_EMAIL_SUBJECT, text: body, messageId };
}
