import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type EmailMessage, redactApiKeys } from '@tradetally/contracts';
import nodemailer, { type Transporter } from 'nodemailer';
import type { WorkerConfig } from '../../config.js';
import { WORKER_CONFIG } from '../../tokens.js';

/**
 * Sends over SMTP (SMTP_URL). With none configured, or EMAIL_DISABLED=true, it logs that an e-mail
 * would be sent and to whom, never its subject line's data, body, link or token (security.md "No
 * token in a log"): a confirmation link in a log is a way into the account for whoever reads it.
 */
@Injectable()
export class Mailer implements OnApplicationShutdown {
  private readonly log = new Logger('Mailer');
  private readonly transport: Transporter | null;

  constructor(@Inject(WORKER_CONFIG) private readonly config: WorkerConfig) {
    this.transport = config.SMTP_URL && !config.EMAIL_DISABLED ? nodemailer.createTransport(config.SMTP_URL) : null;
  }

  async send(message: EmailMessage): Promise<void> {
    if (!this.transport) {
      const why = this.config.EMAIL_DISABLED ? 'EMAIL_DISABLED=true' : 'no SMTP_URL set';
      this.log.log(`an e-mail would be sent to ${message.to} (${why}); its content is not logged`);
      return;
    }
    // Belt and braces: the content is built from rows that never hold a key, and is scrubbed anyway.
    const text = redactApiKeys(message.text);
    await this.transport.sendMail({
      from: this.config.EMAIL_FROM,
      to: message.to,
      subject: redactApiKeys(message.subject),
      text,
      messageId: message.messageId,
    });
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
