import { type INestApplicationContext, Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { Db } from '@tradetally/database';
import type { Job, Worker } from 'bullmq';
import { DB } from './tokens.js';

const log = new Logger('Shutdown');

/**
 * The worker's stop on SIGTERM (operations.md "Graceful stop"): no new sweeps, no new jobs; the
 * active ones get `timeoutMs` to finish. Whatever is still running then is handed back to its
 * queue's wait list at once, so another worker takes it now rather than after the lock lapses;
 * each job's effect is claimed in its own transaction, so a job that ran half-way here and again
 * elsewhere still happens once (lifecycle.md).
 */
export function gracefulStop(app: INestApplicationContext, workers: Worker[], timeoutMs: number): (signal: string) => Promise<void> {
  const active = new Map<string, Job>();
  for (const worker of workers) {
    const key = (job: Job) => `${worker.name}:${job.id ?? ''}`;
    worker.on('active', (job) => active.set(key(job), job));
    worker.on('completed', (job) => active.delete(key(job)));
    worker.on('failed', (job) => job && active.delete(key(job)));
  }

  let stopping: Promise<void> | null = null;
  return (signal: string) => {
    stopping ??= (async () => {
      for (const job of app.get(SchedulerRegistry).getCronJobs().values()) void job.stop();
      log.log(`${signal}: taking no new jobs; waiting for ${active.size} active job(s) (up to ${timeoutMs} ms)`);
      let timer: NodeJS.Timeout | undefined;
      const finished = await Promise.race([
        Promise.all(workers.map((worker) => worker.close())).then(() => true),
        new Promise<boolean>((done) => (timer = setTimeout(() => done(false), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (finished) {
        await app.close();
        log.log('stopped');
        return;
      }
      // worker.close() is still waiting for these jobs, and app.close() would wait with it.
      for (const job of active.values()) {
        await job.moveToWait(job.token).then(
          () => log.warn(`job ${job.id ?? '?'} (${job.name}) did not finish in time: handed back to the queue`),
          (error: unknown) => log.warn(`job ${job.id ?? '?'} could not be handed back (${(error as Error).message}): it returns when its lock lapses`),
        );
      }
      await app
        .get<Db>(DB)
        .close()
        .catch(() => undefined);
      log.log('stopped');
    })();
    return stopping;
  };
}
