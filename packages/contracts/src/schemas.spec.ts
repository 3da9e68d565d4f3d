import { describe, expect, it } from 'vitest';
import {
  CreateApiKeyRequestSchema,
  CreateTradeRequestSchema,
  DAY_MS,
  ERROR_CODES,
  ExtensionMessageSchema,
  JOBS,
  JobName,
  LeakReportRequestSchema,
  QueueName,
  RegisterRequestSchema,
  RotateApiKeyRequestSchema,
  jobId,
  statusOfErrorCode,
} from './index.js';

const KEY_ID = '2b0f7c3e-8d7a-4a53-9c1e-0a4f4d6b8e21';

describe('request schemas', () => {
  it('reject unknown fields so a typo never passes silently', () => {
    const result = CreateApiKeyRequestSchema.safeParse({ name: 'ci', scope: 'read', scpoe: 'read_write' });
    expect(result.success).toBe(false);
  });

  it('default a new key to live with no expiry, not a canary, not self-rotating, usable from anywhere', () => {
    expect(CreateApiKeyRequestSchema.parse({ name: ' broker ', scope: 'read' })).toEqual({
      name: 'broker',
      scope: 'read',
      environment: 'live',
      canary: false,
      selfRotate: false,
    });
  });

  it('accept an expiry in the future up to 366 days ahead, and refuse the rest', () => {
    const at = (ms: number) => new Date(Date.now() + ms).toISOString();
    expect(CreateApiKeyRequestSchema.safeParse({ name: 'a', scope: 'read', expiresAt: at(30 * DAY_MS) }).success).toBe(true);
    expect(CreateApiKeyRequestSchema.safeParse({ name: 'a', scope: 'read', expiresAt: null }).success).toBe(true);
    expect(CreateApiKeyRequestSchema.safeParse({ name: 'a', scope: 'read', expiresAt: at(-1000) }).success).toBe(false);
    expect(CreateApiKeyRequestSchema.safeParse({ name: 'a', scope: 'read', expiresAt: at(367 * DAY_MS) }).success).toBe(false);
    expect(CreateApiKeyRequestSchema.safeParse({ name: 'a', scope: 'read', expiresAt: 'tomorrow' }).success).toBe(false);
  });

  it('bound the rotation grace period to 0..10080 minutes', () => {
    expect(RotateApiKeyRequestSchema.parse({})).toEqual({ gracePeriodMinutes: 0 });
    expect(RotateApiKeyRequestSchema.safeParse({ gracePeriodMinutes: 10081 }).success).toBe(false);
    expect(RotateApiKeyRequestSchema.safeParse({ gracePeriodMinutes: 1.5 }).success).toBe(false);
  });

  it('normalise e-mail addresses and bound passwords to 12..256 characters', () => {
    expect(RegisterRequestSchema.parse({ email: ' Ann@Example.COM ', password: 'x'.repeat(12) }).email).toBe('ann@example.com');
    expect(RegisterRequestSchema.safeParse({ email: 'ann@example.com', password: 'x'.repeat(11) }).success).toBe(false);
    expect(RegisterRequestSchema.safeParse({ email: 'ann@example.com', password: 'x'.repeat(257) }).success).toBe(false);
  });

  it('refuse a leak report that carries neither key nor text', () => {
    expect(LeakReportRequestSchema.safeParse({ source: 'manual' }).success).toBe(false);
    expect(LeakReportRequestSchema.safeParse({ source: 'paste', text: 'hi' }).success).toBe(true);
  });

  it('refuse trades with a negative price or a non-finite quantity', () => {
    const trade = { symbol: 'AAPL', side: 'buy', quantity: 1, price: 10, executedAt: '2026-01-02T15:04:05Z' };
    expect(CreateTradeRequestSchema.parse(trade).fees).toBe(0);
    expect(CreateTradeRequestSchema.safeParse({ ...trade, price: -1 }).success).toBe(false);
    expect(CreateTradeRequestSchema.safeParse({ ...trade, quantity: Number.POSITIVE_INFINITY }).success).toBe(false);
  });
});

describe('error codes', () => {
  it('map every code to a 4xx or 5xx status', () => {
    for (const code of ERROR_CODES) expect(statusOfErrorCode(code)).toBeGreaterThanOrEqual(400);
    expect(statusOfErrorCode('not_found')).toBe(404);
    expect(statusOfErrorCode('insufficient_scope')).toBe(403);
  });
});

describe('jobs', () => {
  it('keep the ids of running deployments, free of the ":" BullMQ refuses', () => {
    const since = '2026-11-29T12:00:00.000Z';
    const ids = {
      [jobId(JobName.ExpiryReminder, { keyId: KEY_ID, windowDays: 7 })]: `expiry-${KEY_ID}-7`,
      [jobId(JobName.KeyExpired, { keyId: KEY_ID })]: `expired-${KEY_ID}`,
      [jobId(JobName.RotationDue, { keyId: KEY_ID, period: 2 })]: `rotation-due-${KEY_ID}-2`,
      [jobId(JobName.FinishRotation, { keyId: KEY_ID })]: `finish-rotation-${KEY_ID}`,
      [jobId(JobName.LeakFollowUp, { keyId: KEY_ID, auditEventId: KEY_ID })]: `leak-${KEY_ID}-${KEY_ID}`,
      [jobId(JobName.CanaryAlert, { keyId: KEY_ID, window: 42 })]: `canary-${KEY_ID}-42`,
      [jobId(JobName.UnusedKey, { keyId: KEY_ID, since })]: `unused-${KEY_ID}-${Date.parse(since)}`,
      [jobId(JobName.SendEmail, { notificationId: KEY_ID })]: `email-${KEY_ID}`,
      [jobId(JobName.SendConfirmation, { userId: KEY_ID, requestedAt: since })]: `confirm-${KEY_ID}-${Date.parse(since)}`,
    };
    expect(Object.keys(ids)).toHaveLength(Object.keys(JOBS).length);
    for (const [id, expected] of Object.entries(ids)) {
      expect(id).toBe(expected);
      expect(id).not.toContain(':');
    }
  });

  it('are one table: each name has its queue, its options and a payload schema that validates', () => {
    expect(JobName.ExpiryReminder).toBe('expiry-reminder');
    expect(JOBS['send-email'].queue).toBe(QueueName.Email);
    expect(JOBS['canary-alert'].queue).toBe(QueueName.Lifecycle);
    for (const job of Object.values(JOBS)) expect(job.options).toMatchObject({ attempts: 8, removeOnComplete: { age: 86_400 } });
    expect(JOBS['expiry-reminder'].payload.safeParse({ keyId: KEY_ID, windowDays: 0.5 }).success).toBe(true);
    expect(JOBS['expiry-reminder'].payload.safeParse({ keyId: 'nope', windowDays: 1 }).success).toBe(false);
  });
});

describe('extension messages', () => {
  it('are one discriminated union', () => {
    expect(ExtensionMessageSchema.safeParse({ type: 'get-settings' }).success).toBe(true);
    expect(ExtensionMessageSchema.safeParse({ type: 'steal-keys' }).success).toBe(false);
  });
});
