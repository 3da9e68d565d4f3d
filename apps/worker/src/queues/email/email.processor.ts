import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import {
  CONFIRMATION_EMAILS_PER_DAY,
  DAY_MS,
  EMAIL_TOKEN_TTL_MS,
  type JobPayloads,
  QueueName,
  confirmationEmail,
  isEmailed,
  notificationEmail,
} from '@tradetally/contracts';
import { RecordsRepository, UsersRepository, hashOpaqueToken } from '@tradetally/database';
import { type JobHandlers, dispatchJob } from '@tradetally/database/jobs';
import { type Job, UnrecoverableError } from 'bullmq';
import { type WorkerConfig, workerOptions } from '../../config.js';
import { WORKER_CONFIG } from '../../tokens.js';
import { Mailer } from './mailer.service.js';

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
    private readonly records: RecordsRepository,
    private readonly users: UsersRepository,
    private readonly mailer: Mailer,
  ) {
    super();
  }

  process(job: Job): Promise<string> {
    return dispatchJob(QueueName.Email, this.handlers, job);
  }

  /** The e-mail of one notification, in the form the message catalog gives its type. */
  private async sendNotification({ notificationId }: JobPayloads['send-email']): Promise<string> {
    const view = await this.records.emailView(notificationId);
    if (!view) throw new UnrecoverableError('the notification no longer exists');
    if (view.emailedAt) return 'already sent';
    if (!isEmailed(view.type)) return 'not sent: this kind of notification is not e-mailed';
    if (!view.emailVerifiedAt || view.createdAt < view.emailVerifiedAt) return 'not sent: the address was not confirmed when this happened';
    await this.mailer.send(
      notificationEmail(
        { notificationId: view.id, type: view.type, data: view.data, body: view.body, createdAt: view.createdAt, to: view.email, key: view.key },
        this.config.PUBLIC_URL,
      ),
    );
    await this.records.markEmailed(notificationId, new Date());
    return 'sent';
  }

  /**
   * Makes a fresh confirmation token, stores only its hash (replacing any older one, so only the
   * newest link works) and e-mails the link. A retry after a failed send makes a new token: the
   * owner may get two e-mails, and the last one works. An address gets at most
   * CONFIRMATION_EMAILS_PER_DAY confirmations in 24 hours, whichever account or path asked
   * (registration, "send again", the sweep): beyond, nothing is made and nothing is sent.
   */
  private async sendConfirmation({ userId }: JobPayloads['send-confirmation'], job: Job): Promise<string> {
    const user = await this.users.findById(userId);
    if (!user) throw new UnrecoverableError('the user no longer exists');
    if (user.emailVerifiedAt) return 'already confirmed';
    const addressHash = hashOpaqueToken(user.email.toLowerCase());
    if (!(await this.users.claimConfirmationEmail(addressHash, new Date(), CONFIRMATION_EMAILS_PER_DAY, DAY_MS))) {
      return 'not sent: this address had its confirmation e-mails for today';
    }
    const token = randomBytes(32).toString('base64url');
    await this.users.setEmailToken(userId, hashOpaqueToken(token), new Date(Date.now() + EMAIL_TOKEN_TTL_MS));
    await this.mailer.send(confirmationEmail(user.email, token, this.config.PUBLIC_URL, `<${job.id ?? userId}@tradetally.keys>`));
    return 'sent';
  }
}
