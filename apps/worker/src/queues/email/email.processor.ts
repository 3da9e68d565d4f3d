import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { EMAIL_TOKEN_TTL_MS, type JobPayloads, type NotificationType, QueueName, confirmationEmail, isEmailed, notificationEmail } from '@tradetally/contracts';
import { type Db, hashOpaqueToken } from '@tradetally/database';
import { type JobHandlers, dispatchJob } from '@tradetally/database/jobs';
import { type Job, UnrecoverableError } from 'bullmq';
import { type WorkerConfig, workerOptions } from '../../config.js';
import { DB, WORKER_CONFIG } from '../../tokens.js';
import { Mailer } from './mailer.service.js';

interface Row {
  id: string;
  type: NotificationType;
  body: string;
  data: string | null;
  created_at: unknown;
  emailed_at: unknown;
  email: string;
  email_verified_at: unknown;
  name: string | null;
  prefix: string | null;
  last4: string | null;
  scope: string | null;
  environment: string | null;
  expires_at: unknown;
}

/**
 * The e-mail queue. A notification's e-mail is sent, then marked (emailed_at); a crash between the
 * two resends it once more with the same Message-ID, so mail systems can tell it is one message.
 * An address gets nothing but its confirmation until its owner confirms it (security.md); a
 * notification made before the confirmation stays in the app and is never e-mailed.
 */
@Processor(QueueName.Email, workerOptions())
export class EmailProcessor extends WorkerHost {
  private readonly handlers: JobHandlers<typeof QueueName.Email> = {
    'send-email': (payload) => this.sendNotification(payload),
    'send-confirmation': (payload, job) => this.sendConfirmation(payload, job),
  };

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @Inject(DB) private readonly db: Db,
    private readonly mailer: Mailer,
  ) {
    super();
  }

  process(job: Job): Promise<string> {
    return dispatchJob(QueueName.Email, this.handlers, job);
  }

  /** The e-mail of one notification, in the form the message catalog gives its type. */
  private async sendNotification({ notificationId }: JobPayloads['send-email']): Promise<string> {
    const [row] = await this.db.query<Row>(
      `SELECT n.id, n.type, n.body, n.data, n.created_at, n.emailed_at, u.email, u.email_verified_at, k.name, k.prefix, k.last4, k.scope, k.environment, k.expires_at
         FROM notifications n JOIN users u ON u.id = n.user_id LEFT JOIN api_keys k ON k.id = n.api_key_id
        WHERE n.id = $1`,
      [notificationId],
    );
    if (!row) throw new UnrecoverableError('the notification no longer exists');
    if (row.emailed_at) return 'already sent';
    if (!isEmailed(row.type)) return 'not sent: this kind of notification is not e-mailed';
    const verifiedAt = this.db.date(row.email_verified_at);
    const createdAt = this.db.date(row.created_at) ?? new Date();
    if (!verifiedAt || createdAt < verifiedAt) return 'not sent: the address was not confirmed when this happened';
    const key =
      row.name && row.prefix && row.last4 && row.scope && row.environment
        ? { name: row.name, prefix: row.prefix, last4: row.last4, scope: row.scope, environment: row.environment, expiresAt: this.db.date(row.expires_at) }
        : null;
    await this.mailer.send(
      notificationEmail({ notificationId: row.id, type: row.type, data: row.data, body: row.body, createdAt, to: row.email, key }, this.config.PUBLIC_URL),
    );
    await this.db.query('UPDATE notifications SET emailed_at = $1 WHERE id = $2 AND emailed_at IS NULL', [new Date(), notificationId]);
    return 'sent';
  }

  /**
   * Makes a fresh confirmation token, stores only its hash (replacing any older one, so only the
   * newest link works) and e-mails the link. A retry after a failed send makes a new token: the
   * owner may get two e-mails, and the last one works.
   */
  private async sendConfirmation({ userId }: JobPayloads['send-confirmation'], job: Job): Promise<string> {
    const [user] = await this.db.query<{ email: string; email_verified_at: unknown }>('SELECT email, email_verified_at FROM users WHERE id = $1', [userId]);
    if (!user) throw new UnrecoverableError('the user no longer exists');
    if (user.email_verified_at) return 'already confirmed';
    const token = randomBytes(32).toString('base64url');
    await this.db.query('UPDATE users SET email_token_hash = $1, email_token_expires_at = $2 WHERE id = $3 AND email_verified_at IS NULL', [
      hashOpaqueToken(token),
      new Date(Date.now() + EMAIL_TOKEN_TTL_MS),
      userId,
    ]);
    await this.mailer.send(confirmationEmail(user.email, token, this.config.PUBLIC_URL, `<${job.id ?? userId}@tradetally.keys>`));
    return 'sent';
  }
}
