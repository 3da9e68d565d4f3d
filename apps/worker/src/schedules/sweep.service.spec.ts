import type { SchedulerRegistry } from '@nestjs/schedule';
import { DAY_MS, EMAILED_NOTIFICATION_TYPES, HOUR_MS, effectKey } from '@tradetally/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RecordingJobs } from '../testing/lifecycle-doubles.js';
import { SweepService } from './sweep.service.js';

const NOW = new Date('2026-11-29T12:00:00.000Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);
const id = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;

describe('the sweep', () => {
  let jobs: RecordingJobs & { ready: () => Promise<void> };
  let claimed: Set<string>;
  let asked: Record<string, unknown[]>;
  const config = { SWEEP_CRON: '0 */5 * * * *', REMINDER_DAYS: [30, 7, 1], ROTATION_AGE_DAYS: 90, UNUSED_DAYS: 30 };

  const sweep = (
    answers: {
      expiring?: Array<{ id: string; createdAt: Date; expiresAt: Date }>;
      expired?: string[];
      rotatable?: Array<{ id: string; createdAt: Date }>;
      inGrace?: Array<{ id: string; graceEndsAt: Date }>;
      idle?: Array<{ id: string; since: Date }>;
      unconfirmed?: Array<{ id: string; createdAt: Date }>;
      unsent?: string[];
    },
    settings = config,
  ) => {
    /** A repository method that answers `value` and keeps what it was asked. */
    const record =
      <T>(name: string, value: T) =>
      async (...args: unknown[]): Promise<T> => {
        asked[name] = args;
        return value;
      };
    const sut = new SweepService(
      settings,
      {
        expiringBetween: record('expiringBetween', answers.expiring ?? []),
        expiredUnrecorded: record('expiredUnrecorded', answers.expired ?? []),
        rotatableCreatedBefore: record('rotatableCreatedBefore', answers.rotatable ?? []),
        inGrace: record('inGrace', answers.inGrace ?? []),
        idleSince: record('idleSince', answers.idle ?? []),
      },
      { claimed: async (keys: string[]) => new Set(keys.filter((key) => claimed.has(key))) },
      { unsent: record('unsent', answers.unsent ?? []) },
      { awaitingConfirmation: record('awaitingConfirmation', answers.unconfirmed ?? []) },
      jobs,
      {} as SchedulerRegistry,
      { purgeBefore: record('purgeBefore', 2) },
    );
    return sut.sweep();
  };
  const added = (name: string) => jobs.added.filter((job) => job.name === name).map((job) => job.payload);

  beforeEach(() => {
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
    jobs = Object.assign(new RecordingJobs(), { ready: async () => undefined });
    claimed = new Set();
    asked = {};
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('queues the most urgent open reminder window of each key, unless its effect is in the ledger', async () => {
    claimed.add(effectKey.expiry(id(3), 7));
    const report = await sweep({
      expiring: [
        { id: id(1), createdAt: at(-40 * DAY_MS), expiresAt: at(12 * HOUR_MS) },
        { id: id(2), createdAt: at(-2 * HOUR_MS), expiresAt: at(20 * HOUR_MS) },
        { id: id(3), createdAt: at(-40 * DAY_MS), expiresAt: at(3 * DAY_MS) },
      ],
    });
    expect(added('expiry-reminder')).toEqual([{ keyId: id(1), windowDays: 1 }]);
    expect(report.expiryReminders).toBe(1);
    expect(asked.expiringBetween).toEqual([NOW, at(30 * DAY_MS)]);
  });

  it('queues expiry records, rotation reminders for the current age period, and unused-key reminders for the current period of disuse', async () => {
    claimed.add(effectKey.unused(id(5), at(-40 * DAY_MS)));
    await sweep({
      expired: [id(1)],
      rotatable: [{ id: id(2), createdAt: at(-200 * DAY_MS) }],
      idle: [
        { id: id(4), since: at(-31 * DAY_MS) },
        { id: id(5), since: at(-40 * DAY_MS) },
      ],
    });
    expect(added('key-expired')).toEqual([{ keyId: id(1) }]);
    expect(added('rotation-due')).toEqual([{ keyId: id(2), period: 2 }]);
    expect(added('unused-key')).toEqual([{ keyId: id(4), since: at(-31 * DAY_MS).toISOString() }]);
    expect(asked.rotatableCreatedBefore).toEqual([NOW, at(-90 * DAY_MS)]);
    expect(asked.idleSince).toEqual([NOW, at(-30 * DAY_MS)]);
  });

  it('asks nothing about rotation age or disuse when they are turned off', async () => {
    await sweep({ rotatable: [{ id: id(2), createdAt: at(-200 * DAY_MS) }] }, { ...config, ROTATION_AGE_DAYS: 0, UNUSED_DAYS: 0 });
    expect(asked.rotatableCreatedBefore).toBeUndefined();
    expect(asked.idleSince).toBeUndefined();
    expect(jobs.added).toEqual([]);
  });

  it('re-creates lost finish-rotation jobs, lost confirmations with the API’s job payload, and the e-mail outbox of the types the catalog e-mails', async () => {
    const created = at(-HOUR_MS);
    await sweep({ inGrace: [{ id: id(1), graceEndsAt: at(5000) }], unconfirmed: [{ id: id(2), createdAt: created }], unsent: [id(3)] });
    expect(jobs.added.filter((job) => job.name === 'finish-rotation')).toEqual([{ name: 'finish-rotation', payload: { keyId: id(1) }, at: at(5000) }]);
    expect(added('send-confirmation')).toEqual([{ userId: id(2), requestedAt: created.toISOString() }]);
    expect(added('send-email')).toEqual([{ notificationId: id(3) }]);
    expect(asked.unsent).toEqual([EMAILED_NOTIFICATION_TYPES, at(-7 * DAY_MS)]);
    expect(asked.awaitingConfirmation).toEqual([at(-DAY_MS)]);
  });

  it('deletes the Idempotency-Key answers older than a day', async () => {
    const report = await sweep({});
    expect(asked.purgeBefore).toEqual([at(-DAY_MS)]);
    expect(report.idempotencyKeysPurged).toBe(2);
  });

  it('joins a sweep already under way instead of running a second one', async () => {
    let asks = 0;
    const sut = new SweepService(
      { ...config, ROTATION_AGE_DAYS: 0, UNUSED_DAYS: 0 },
      {
        expiringBetween: async () => [],
        expiredUnrecorded: async () => {
          asks++;
          return [];
        },
        rotatableCreatedBefore: async () => [],
        inGrace: async () => [],
        idleSince: async () => [],
      },
      { claimed: async () => new Set<string>() },
      { unsent: async () => [] },
      { awaitingConfirmation: async () => [] },
      jobs,
      {} as SchedulerRegistry,
      { purgeBefore: async () => 0 },
    );
    const [first, second] = [sut.sweep(), sut.sweep()];
    expect(second).toBe(first);
    await first;
    expect(asks).toBe(1);
    await sut.sweep();
    expect(asks).toBe(2);
  });
});
