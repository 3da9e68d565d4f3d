import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { JOB_OPTIONS, JobName, type JobPayloads, QueueName, jobId } from '@tradetally/contracts';
import type { Queue } from 'bullmq';

type Bulk<N extends JobName> = Array<{ payload: JobPayloads[N]; delay?: number }>;

/** The one place jobs are added: payloads from the contracts, deterministic ids, the same options. */
@Injectable()
export class Enqueuer {
  constructor(
    @InjectQueue(QueueName.Lifecycle) private readonly lifecycle: Queue,
    @InjectQueue(QueueName.Email) private readonly email: Queue,
  ) {}

  async expiryReminders(items: Bulk<'expiry-reminder'>): Promise<number> {
    return this.addBulk(this.lifecycle, JobName.ExpiryReminder, items, jobId.expiryReminder);
  }

  async keysExpired(items: Bulk<'key-expired'>): Promise<number> {
    return this.addBulk(this.lifecycle, JobName.KeyExpired, items, jobId.keyExpired);
  }

  async rotationsDue(items: Bulk<'rotation-due'>): Promise<number> {
    return this.addBulk(this.lifecycle, JobName.RotationDue, items, jobId.rotationDue);
  }

  async finishRotations(items: Bulk<'finish-rotation'>): Promise<number> {
    return this.addBulk(this.lifecycle, JobName.FinishRotation, items, jobId.finishRotation);
  }

  async unusedKeys(items: Bulk<'unused-key'>): Promise<number> {
    return this.addBulk(this.lifecycle, JobName.UnusedKey, items, jobId.unusedKey);
  }

  async confirmations(items: Bulk<'send-confirmation'>): Promise<number> {
    return this.addBulk(this.email, JobName.SendConfirmation, items, jobId.sendConfirmation);
  }

  async emails(items: Bulk<'send-email'>): Promise<number> {
    return this.addBulk(this.email, JobName.SendEmail, items, jobId.sendEmail);
  }

  private async addBulk<N extends JobName>(queue: Queue, name: N, items: Bulk<N>, idOf: (payload: JobPayloads[N]) => string): Promise<number> {
    for (let i = 0; i < items.length; i += 500) {
      await queue.addBulk(
        items.slice(i, i + 500).map(({ payload, delay }) => ({
          name,
          data: payload,
          opts: { ...JOB_OPTIONS, jobId: idOf(payload), ...(delay ? { delay } : {}) },
        })),
      );
    }
    return items.length;
  }
}
