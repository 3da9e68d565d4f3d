import { describe, expect, it } from 'vitest';
import { ApiError } from '../../common/api-error.js';
import { HashPool } from './hash-pool.js';

describe('HashPool', () => {
  it('runs at most `size` at once, queues up to `queue`, refuses the rest with 429', async () => {
    const pool = new HashPool(2, 3);
    let running = 0;
    let peak = 0;
    const releases: Array<() => void> = [];
    const work = () =>
      new Promise<void>((resolve) => {
        running++;
        peak = Math.max(peak, running);
        releases.push(() => {
          running--;
          resolve();
        });
      });
    const results = Array.from({ length: 7 }, () =>
      pool.run(work).then(
        () => 'done',
        (error: unknown) => error,
      ),
    );
    await new Promise((r) => setImmediate(r));
    expect(running).toBe(2);
    const refused = await Promise.race([Promise.all(results.slice(5)), new Promise((r) => setTimeout(() => r('pending'), 50))]);
    expect(refused).not.toBe('pending');
    for (const error of refused as unknown[]) expect(error).toBeInstanceOf(ApiError);
    while (releases.length > 0) {
      releases.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    expect(await Promise.all(results.slice(0, 5))).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(peak).toBe(2);
    expect(pool.active).toBe(0);
  });

  it('gives up on a wait longer than maxWaitMs with 429, and the slot still serves the next', async () => {
    const pool = new HashPool(1, 10, 30);
    let release: () => void = () => undefined;
    const first = pool.run(() => new Promise<void>((resolve) => (release = resolve)));
    await expect(pool.run(async () => 'late')).rejects.toMatchObject({ code: 'rate_limited' });
    release();
    await first;
    expect(await pool.run(async () => 'next')).toBe('next');
    expect(pool.active).toBe(0);
  });
});
