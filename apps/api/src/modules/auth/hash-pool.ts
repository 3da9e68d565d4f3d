import { ApiError } from '../../common/api-error.js';

/**
 * A small fixed pool for password hashing (security.md "Password hashing"). argon2 runs on libuv's
 * thread pool, which also runs SQLite queries: without a cap, a login flood would take every thread
 * and every core, and key checks would queue behind it. At most `size` hashes run at once; up to
 * `queue` more wait (a waiting sign-in costs the event loop nothing, so a flood of them leaves key
 * checks their share of the machine); a wait longer than `maxWaitMs`, or a full queue, answers 429.
 *
 * Hand-written rather than a library (p-limit, async-sema): the rules "refuse beyond a bounded wait
 * queue" and "give up after a bounded wait" are the point here, and they are a few lines.
 */
export class HashPool {
  private running = 0;
  private readonly waiting: Array<{ start: () => void }> = [];

  constructor(
    private readonly size: number,
    private readonly queue: number,
    private readonly maxWaitMs = 10_000,
  ) {}

  /** Runs `work` when a slot is free; throws 429 `rate_limited` when the queue is full or the wait too long. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await this.wait();
    else this.running++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `running` never drops between them.
      if (next) next.start();
      else this.running--;
    }
  }

  private wait(): Promise<void> {
    const busy = () => new ApiError('rate_limited', 'Too many sign-ins at once; try again in a few seconds.', undefined, { 'Retry-After': '5' });
    if (this.waiting.length >= this.queue) return Promise.reject(busy());
    return new Promise<void>((resolve, reject) => {
      const entry = {
        start: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        const index = this.waiting.indexOf(entry);
        if (index >= 0) this.waiting.splice(index, 1);
        reject(busy());
      }, this.maxWaitMs);
      this.waiting.push(entry);
    });
  }

  /** Hashes running now (for tests and metrics). */
  get active(): number {
    return this.running;
  }
}
