import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { type EmailMessage, redactApiKeys } from '@tradetally/contracts';
import nodemailer, { type Transporter } from 'nodemailer';
import type { WorkerConfig } from '../../config.js';
import { WORKER_CONFIG } from '../../tokens.js';

/** Sends over SMTP (SMTP_URL); with none configured, writes the e-mail to the log: never dropped silently. */
@Injectable()
export class Mailer implements OnApplicationShutdown {
  private readonly log = new Logger('Mailer');
  private readonly transport: Transporter | null;

  constructor(@Inject(WORKER_CONFIG) private readonly config: WorkerConfig) {
    this.transport = config.SMTP_URL ? nodemailer.createTransport(config.SMTP_URL) : null;
  }

  async send(message: EmailMessage): Promise<void> {
    // Belt and braces: the content is built from rows that never hold a key, and is scrubbed anyway.
    const text = redactApiKeys(message.text);
    if (!this.transport) {
      this.log.log(`e-mail (no SMTP_URL set) to ${message.to}: ${message.subject}\n${text}`);
      return;
    }
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
