import { ApiError } from '../../common/api-error.js';

/**
 * A small fixed pool for password hashing (security.md "Password hashing"). argon2 runs on libuv's
 * thread pool, which also runs SQLite queries: without a cap, a login flood would take every thread
 * and every core, and key checks would queue behind it. At most `size` hashes run at once, at most
 * `queue` more wait, and the rest answer 429 at once without hashing anything.
 *
 * Hand-written rather than a library (p-limit, async-sema): the rule "refuse beyond a bounded wait
 * queue" is the point here, and it is a dozen lines.
 */
export class HashPool {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly size: number,
    private readonly queue: number,
  ) {}

  /** Runs `work` when a slot is free; throws 429 `rate_limited` when the wait queue is full. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) {
      if (this.waiting.length >= this.queue) {
        throw new ApiError('rate_limited', 'Too many sign-ins at once; try again in a second.', undefined, { 'Retry-After': '1' });
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter, so `running` never drops between them.
      if (next) next();
      else this.running--;
    }
  }

  /** Hashes running now (for tests and metrics). */
  get active(): number {
    return this.running;
  }
}
