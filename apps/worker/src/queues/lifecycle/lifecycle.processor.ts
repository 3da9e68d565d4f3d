import { Processor, WorkerHost } from '@nestjs/bullmq';
import { QueueName } from '@tradetally/contracts';
import { type JobHandlers, dispatchJob } from '@tradetally/database/jobs';
import type { Job } from 'bullmq';
import { workerOptions } from '../../config.js';
import { LifecycleService, type Outcome } from './lifecycle.service.js';

/** The key-lifecycle queue: a handler per job of the queue (the type makes a missing one a compile error). */
@Processor(QueueName.Lifecycle, workerOptions())
export class LifecycleProcessor extends WorkerHost {
  private readonly handlers: JobHandlers<typeof QueueName.Lifecycle> = {
    'expiry-reminder': (payload) => this.lifecycle.expiryReminder(payload),
    'key-expired': (payload) => this.lifecycle.keyExpired(payload),
    'rotation-due': (payload) => this.lifecycle.rotationDue(payload),
    'finish-rotation': (payload) => this.lifecycle.finishRotation(payload),
    'leak-follow-up': (payload) => this.lifecycle.leakFollowUp(payload),
    'canary-alert': (payload) => this.lifecycle.canaryAlert(payload),
    'unused-key': (payload) => this.lifecycle.unusedKey(payload),
  };

  constructor(private readonly lifecycle: LifecycleService) {
    super();
  }

  process(job: Job): Promise<Outcome> {
    return dispatchJob(QueueName.Lifecycle, this.handlers, job);
  }
}
