import { Processor, WorkerHost } from '@nestjs/bullmq';
import { JobName, JobPayloadSchemas, type JobPayloads, QueueName } from '@tradetally/contracts';
import { type Job, UnrecoverableError } from 'bullmq';
import { workerConfig } from '../../config.js';
import { LifecycleService, type Outcome } from './lifecycle.service.js';

/** A job's payload, validated against the contracts; a malformed one can never succeed. */
export function payloadOf<N extends keyof JobPayloads>(name: N, job: Job): JobPayloads[N] {
  const parsed = JobPayloadSchemas[name].safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError(`malformed ${name} payload: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data as JobPayloads[N];
}

/**
 * Options of every worker: a job whose worker died is taken back after its lock lapses (checked
 * every half lock), up to three times before it fails.
 */
export const workerOptions = () => ({
  concurrency: workerConfig().WORKER_CONCURRENCY,
  lockDuration: workerConfig().JOB_LOCK_MS,
  stalledInterval: Math.max(1000, Math.floor(workerConfig().JOB_LOCK_MS / 2)),
  maxStalledCount: 3,
});

/** The key-lifecycle queue: one processor, a handler per job name. */
@Processor(QueueName.Lifecycle, workerOptions())
export class LifecycleProcessor extends WorkerHost {
  constructor(private readonly lifecycle: LifecycleService) {
    super();
  }

  async process(job: Job): Promise<Outcome> {
    switch (job.name) {
      case JobName.ExpiryReminder:
        return this.lifecycle.expiryReminder(payloadOf(JobName.ExpiryReminder, job));
      case JobName.KeyExpired:
        return this.lifecycle.keyExpired(payloadOf(JobName.KeyExpired, job));
      case JobName.RotationDue:
        return this.lifecycle.rotationDue(payloadOf(JobName.RotationDue, job));
      case JobName.FinishRotation:
        return this.lifecycle.finishRotation(payloadOf(JobName.FinishRotation, job));
      case JobName.LeakFollowUp:
        return this.lifecycle.leakFollowUp(payloadOf(JobName.LeakFollowUp, job));
      case JobName.CanaryAlert:
        return this.lifecycle.canaryAlert(payloadOf(JobName.CanaryAlert, job));
      case JobName.UnusedKey:
        return this.lifecycle.unusedKey(payloadOf(JobName.UnusedKey, job));
      default:
        throw new UnrecoverableError(`no handler for job ${job.name} on ${QueueName.Lifecycle}`);
    }
  }
}
