import { CANARY_ALERT_WINDOW_MS, DAY_MS, HOUR_MS, JobName, effectKey, messageKey, renderNotification } from '@tradetally/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InMemoryLifecycle, RecordingJobs } from '../../testing/lifecycle-doubles.js';
import { EffectRunner } from './effect-runner.js';
import { LifecycleService, dueWindows, rotationPeriod } from './lifecycle.service.js';

const NOW = new Date('2026-11-29T12:00:00.000Z');
const fromNow = (ms: number) => new Date(NOW.getTime() + ms);

describe('the lifecycle rules', () => {
  let store: InMemoryLifecycle;
  let jobs: RecordingJobs;
  let sut: LifecycleService;
  const config = { REMINDER_DAYS: [30, 7, 1], ROTATION_AGE_DAYS: 90, UNUSED_DAYS: 30 };

  beforeEach(() => {
    vi.useFakeTimers({ now: NOW, toFake: ['Date'] });
    store = new InMemoryLifecycle();
    jobs = new RecordingJobs();
    sut = new LifecycleService(config, new EffectRunner(store, store.keys, store.effects, store.records, jobs), store.keys, store.records, jobs);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  const emails = () => jobs.added.filter((job) => job.name === JobName.SendEmail).map((job) => job.payload);

  describe('expiry reminders', () => {
    it('send the most urgent due window once: notification, audit event and e-mail, the other due windows recorded as skipped', async () => {
      const key = store.key({ createdAt: fromNow(-40 * DAY_MS), expiresAt: fromNow(12 * HOUR_MS) });
      expect(await sut.expiryReminder({ keyId: key.id, windowDays: 1 })).toBe('reminder 1 sent');
      expect(await sut.expiryReminder({ keyId: key.id, windowDays: 1 })).toBe('already sent');

      expect(store.notifications).toHaveLength(1);
      const [note] = store.notifications;
      expect(note).toMatchObject({ type: 'key_expiring', userId: key.userId, apiKeyId: key.id, dedupeKey: effectKey.expiry(key.id, 1), at: NOW });
      expect(note?.title).toBe('API key "Broker sync" expires in 1 day');
      expect(note?.data).toEqual({
        key: { name: 'Broker sync', display: 'tt_live_C7Lf…xsfq', scope: 'read_write', environment: 'live' },
        windowDays: 1,
        expiresAt: fromNow(12 * HOUR_MS).toISOString(),
      });
      expect(store.audit).toEqual([
        expect.objectContaining({
          type: 'key.reminder_sent',
          actor: 'system',
          details: { windowDays: 1, expiresAt: fromNow(12 * HOUR_MS).toISOString(), skippedWindows: [7, 30] },
        }),
      ]);
      expect(Object.fromEntries([...store.ledger].map(([k, row]) => [k, row.status]))).toEqual({
        [effectKey.expiry(key.id, 1)]: 'done',
        [effectKey.expiry(key.id, 7)]: 'skipped',
        [effectKey.expiry(key.id, 30)]: 'skipped',
      });
      expect(emails()).toEqual([{ notificationId: note?.id }]);
    });

    it('record a less urgent window as skipped, with no notification', async () => {
      const key = store.key({ createdAt: fromNow(-40 * DAY_MS), expiresAt: fromNow(12 * HOUR_MS) });
      expect(await sut.expiryReminder({ keyId: key.id, windowDays: 7 })).toBe('window 7 skipped for 1');
      expect(store.ledger.get(effectKey.expiry(key.id, 7))?.status).toBe('skipped');
      expect(store.notifications).toEqual([]);
      expect(jobs.added).toEqual([]);
    });

    it('skip a window that opened before the key was made, and keys no longer active', async () => {
      const young = store.key({ createdAt: fromNow(-2 * HOUR_MS), expiresAt: fromNow(20 * HOUR_MS) });
      const revoked = store.key({ createdAt: fromNow(-40 * DAY_MS), expiresAt: fromNow(HOUR_MS), revokedAt: fromNow(-HOUR_MS) });
      expect(await sut.expiryReminder({ keyId: young.id, windowDays: 1 })).toBe('window 1 not due');
      expect(await sut.expiryReminder({ keyId: revoked.id, windowDays: 1 })).toBe('key no longer active');
      expect(await sut.expiryReminder({ keyId: crypto.randomUUID(), windowDays: 1 })).toBe('key no longer active');
      expect(store.notifications).toEqual([]);
      expect(store.ledger.size).toBe(0);
    });

    it('happen once when two workers run the same job at the same time', async () => {
      const key = store.key({ createdAt: fromNow(-40 * DAY_MS), expiresAt: fromNow(3 * DAY_MS) });
      const outcomes = await Promise.all([1, 2, 3].map(() => sut.expiryReminder({ keyId: key.id, windowDays: 7 })));
      expect(outcomes.sort()).toEqual(['already sent', 'already sent', 'reminder 7 sent']);
      expect(store.notifications).toHaveLength(1);
      expect(store.audit).toHaveLength(1);
      expect(emails()).toHaveLength(1);
    });
  });

  describe('the expiry record', () => {
    it('is written once for an expired key, with a notification that is not e-mailed', async () => {
      const key = store.key({ createdAt: fromNow(-2 * DAY_MS), expiresAt: fromNow(-HOUR_MS) });
      expect(await sut.keyExpired({ keyId: key.id })).toBe('expiry recorded');
      expect(await sut.keyExpired({ keyId: key.id })).toBe('already recorded');
      expect(store.notifications.map((n) => n.type)).toEqual(['key_expired']);
      expect(store.audit).toEqual([expect.objectContaining({ type: 'key.expired', details: { expiresAt: fromNow(-HOUR_MS).toISOString() } })]);
      expect(jobs.added).toEqual([]);
    });

    it('waits for the expiry', async () => {
      const key = store.key({ createdAt: fromNow(-2 * DAY_MS), expiresAt: fromNow(HOUR_MS) });
      expect(await sut.keyExpired({ keyId: key.id })).toBe('not expired');
      expect(store.ledger.size).toBe(0);
    });
  });

  describe('rotation reminders', () => {
    it('come once per rotation age period, naming the key’s age', async () => {
      const key = store.key({ createdAt: fromNow(-100 * DAY_MS) });
      expect(await sut.rotationDue({ keyId: key.id, period: 1 })).toBe('rotation reminder 1 sent');
      expect(await sut.rotationDue({ keyId: key.id, period: 1 })).toBe('already sent');
      expect(await sut.rotationDue({ keyId: key.id, period: 2 })).toBe('not due yet');
      expect(store.notifications).toEqual([expect.objectContaining({ type: 'key_rotation_due', data: expect.objectContaining({ ageDays: 100 }) })]);
      expect(store.notifications[0]?.body).toContain('(tt_live_C7Lf…xsfq) is 100 days old.');
      expect(jobs.added).toEqual([]);
    });

    it('stop for a key already rotated or no longer active', async () => {
      const rotated = store.key({ createdAt: fromNow(-100 * DAY_MS), rotatedToId: crypto.randomUUID() });
      const expired = store.key({ createdAt: fromNow(-100 * DAY_MS), expiresAt: fromNow(-DAY_MS) });
      expect(await sut.rotationDue({ keyId: rotated.id, period: 1 })).toBe('key no longer active');
      expect(await sut.rotationDue({ keyId: expired.id, period: 1 })).toBe('key no longer active');
      expect(store.notifications).toEqual([]);
    });
  });

  describe('finishing a rotation', () => {
    it('fails (to be retried) before the grace ends, then revokes the old key at its grace end, once', async () => {
      const successor = crypto.randomUUID();
      const old = store.key({ createdAt: fromNow(-DAY_MS), graceEndsAt: fromNow(5000), rotatedToId: successor });
      await expect(sut.finishRotation({ keyId: old.id })).rejects.toThrow(/retrying later/);
      expect(store.ledger.size).toBe(0);

      vi.setSystemTime(fromNow(6000));
      expect(await sut.finishRotation({ keyId: old.id })).toBe('old key revoked');
      expect(await sut.finishRotation({ keyId: old.id })).toBe('already revoked');
      expect(store.keyRows.get(old.id)).toMatchObject({ revokedAt: fromNow(5000), revokeReason: 'rotated' });
      expect(store.audit).toEqual([
        expect.objectContaining({ type: 'key.revoked', details: { reason: 'rotated', graceEndedAt: fromNow(5000).toISOString(), rotatedToId: successor } }),
      ]);
      expect(store.notifications.map((n) => n.type)).toEqual(['key_rotation_finished']);
      expect(jobs.added).toEqual([]);
    });

    it('leaves alone a key revoked meanwhile and a key that was never rotated', async () => {
      const revoked = store.key({ createdAt: fromNow(-DAY_MS), graceEndsAt: fromNow(-HOUR_MS), revokedAt: fromNow(-2 * HOUR_MS) });
      const plain = store.key({ createdAt: fromNow(-DAY_MS) });
      expect(await sut.finishRotation({ keyId: revoked.id })).toBe('already revoked');
      expect(await sut.finishRotation({ keyId: plain.id })).toBe('not a rotated key');
      expect(store.audit).toEqual([]);
    });
  });

  describe('canary alerts', () => {
    it('alert once per 10 minutes with the number of uses and where the last one came from', async () => {
      const decoy = store.key({ createdAt: fromNow(-DAY_MS), canary: true });
      for (let i = 0; i < 3; i++)
        store.canaryUse(decoy, fromNow((i - 3) * 1000), { ip: '198.51.100.66', userAgent: 'curl/8.0', method: 'GET', path: `/v1/trades/${i}` });
      const window = Math.floor(NOW.getTime() / CANARY_ALERT_WINDOW_MS);

      expect(await sut.canaryAlert({ keyId: decoy.id, window })).toBe('canary alert sent');
      // A retry of the same window finds the alert it made.
      expect(await sut.canaryAlert({ keyId: decoy.id, window })).toBe('alerted less than 10 minutes ago');
      expect(store.notifications[0]?.data).toMatchObject({
        uses: 3,
        ip: '198.51.100.66',
        userAgent: 'curl/8.0',
        path: '/v1/trades/2',
        lastUseAt: fromNow(-1000).toISOString(),
      });
      expect(emails()).toHaveLength(1);

      // The next window's use, less than 10 minutes after the alert, is in the trail but alerts nobody.
      vi.setSystemTime(fromNow(CANARY_ALERT_WINDOW_MS - 1000));
      expect(await sut.canaryAlert({ keyId: decoy.id, window: window + 1 })).toBe('alerted less than 10 minutes ago');
      expect(store.ledger.get(effectKey.canaryAlert(decoy.id, window + 1))?.status).toBe('skipped');
      vi.setSystemTime(fromNow(CANARY_ALERT_WINDOW_MS + 1000));
      expect(await sut.canaryAlert({ keyId: decoy.id, window: window + 2 })).toBe('canary alert sent');
      expect(store.notifications).toHaveLength(2);
      // Alerts of one key are decided one at a time.
      expect(new Set(store.locked)).toEqual(new Set([decoy.id]));
    });

    it('ignore a key that is not a canary', async () => {
      const key = store.key({ createdAt: fromNow(-DAY_MS) });
      expect(await sut.canaryAlert({ keyId: key.id, window: 1 })).toBe('not a canary key');
      expect(store.notifications).toEqual([]);
    });
  });

  describe('unused-key reminders', () => {
    it('suggest revoking a key idle for UNUSED_DAYS once per period of disuse; a use starts a new period', async () => {
      const lastUsedAt = fromNow(-31 * DAY_MS);
      const key = store.key({ createdAt: fromNow(-60 * DAY_MS), lastUsedAt });
      expect(await sut.unusedKey({ keyId: key.id, since: lastUsedAt.toISOString() })).toBe('unused reminder sent');
      expect(await sut.unusedKey({ keyId: key.id, since: lastUsedAt.toISOString() })).toBe('already sent');
      expect(store.notifications[0]?.data).toMatchObject({ idleDays: 31, lastUsedAt: lastUsedAt.toISOString() });
      expect(emails()).toHaveLength(1);

      store.keyRows.set(key.id, { ...key, lastUsedAt: fromNow(-HOUR_MS) });
      expect(await sut.unusedKey({ keyId: key.id, since: lastUsedAt.toISOString() })).toBe('used since');
      expect(await sut.unusedKey({ keyId: key.id, since: fromNow(-HOUR_MS).toISOString() })).toBe('not idle long enough');
      expect(store.notifications).toHaveLength(1);
    });

    it('count from creation for a key never used, and never remind about a canary', async () => {
      const never = store.key({ createdAt: fromNow(-40 * DAY_MS) });
      const decoy = store.key({ createdAt: fromNow(-40 * DAY_MS), canary: true });
      expect(await sut.unusedKey({ keyId: never.id, since: never.createdAt.toISOString() })).toBe('unused reminder sent');
      expect(store.notifications[0]?.data).toMatchObject({ lastUsedAt: null });
      expect(await sut.unusedKey({ keyId: decoy.id, since: decoy.createdAt.toISOString() })).toBe('key no longer active');
    });
  });

  describe('the leak follow-up', () => {
    it('e-mails the notification the API wrote with the revocation, and nothing when there is none', async () => {
      const key = store.key({ createdAt: fromNow(-DAY_MS) });
      expect(await sut.leakFollowUp({ keyId: key.id, auditEventId: crypto.randomUUID() })).toBe('no leak notification');
      const leak = {
        userId: key.userId,
        apiKeyId: key.id,
        type: 'key_leaked',
        data: { key: messageKey(key), seenAt: null, source: 'manual', reportedAt: NOW.toISOString() },
        dedupeKey: effectKey.leak(key.id),
      } as const;
      store.notifications.push({ ...leak, ...renderNotification(leak), id: crypto.randomUUID(), at: NOW });
      expect(await sut.leakFollowUp({ keyId: key.id, auditEventId: crypto.randomUUID() })).toBe('e-mail enqueued');
      expect(emails()).toEqual([{ notificationId: store.notifications[0]?.id }]);
    });
  });

  describe('the effect runner', () => {
    it('leaves no ledger row when an effect fails half-way, so the retry does it', async () => {
      const key = store.key({ createdAt: fromNow(-40 * DAY_MS), expiresAt: fromNow(3 * DAY_MS) });
      store.failNextNotification = true;
      await expect(sut.expiryReminder({ keyId: key.id, windowDays: 7 })).rejects.toThrow('the database went away');
      expect(store.ledger.size).toBe(0);
      expect(await sut.expiryReminder({ keyId: key.id, windowDays: 7 })).toBe('reminder 7 sent');
      expect(store.notifications).toHaveLength(1);
    });

    it('counts the effect done when its e-mail cannot be queued: the outbox sends it', async () => {
      const key = store.key({ createdAt: fromNow(-40 * DAY_MS), expiresAt: fromNow(3 * DAY_MS) });
      jobs.down = true;
      expect(await sut.expiryReminder({ keyId: key.id, windowDays: 7 })).toBe('reminder 7 sent');
      expect(store.notifications).toHaveLength(1);
    });
  });
});

const now = NOW;
const at = (offsetDays: number) => new Date(now.getTime() + offsetDays * DAY_MS);

describe('dueWindows', () => {
  it('is empty before the first window opens and after expiry', () => {
    expect(dueWindows({ createdAt: at(-60), expiresAt: at(31) }, now, [30, 7, 1])).toEqual([]);
    expect(dueWindows({ createdAt: at(-60), expiresAt: at(-1) }, now, [30, 7, 1])).toEqual([]);
  });

  it('lists every open window, most urgent first', () => {
    expect(dueWindows({ createdAt: at(-60), expiresAt: at(29) }, now, [30, 7, 1])).toEqual([30]);
    expect(dueWindows({ createdAt: at(-60), expiresAt: at(0.5) }, now, [30, 7, 1])).toEqual([1, 7, 30]);
  });

  it('skips windows that opened before the key was made', () => {
    // A key made 20 hours before its expiry gets no "1 day left" notice.
    expect(dueWindows({ createdAt: at(-0.2), expiresAt: at(20 / 24 - 0.2) }, now, [30, 7, 1])).toEqual([]);
    // A key made for 10 days: the 30-day window opened before it existed.
    expect(dueWindows({ createdAt: at(-4), expiresAt: at(6) }, now, [30, 7, 1])).toEqual([7]);
  });

  it('takes windows of fractions of a day', () => {
    const expiresAt = new Date(now.getTime() + 5000);
    expect(dueWindows({ createdAt: at(-1), expiresAt }, now, [0.0001])).toEqual([0.0001]);
  });
});

describe('rotationPeriod', () => {
  it('counts whole ages and is off at 0', () => {
    expect(rotationPeriod(at(-89), now, 90)).toBe(0);
    expect(rotationPeriod(at(-90), now, 90)).toBe(1);
    expect(rotationPeriod(at(-200), now, 90)).toBe(2);
    expect(rotationPeriod(at(-200), now, 0)).toBe(0);
  });
});
